// A small XML 1.0 well-formedness checker, enough for what the JUnit renderer writes: a declaration, elements,
// attributes in double or single quotes, character data, the five predefined entities and character references.
// It rejects anything malformed (bad nesting, a raw `<` or `&`, an undefined entity, a duplicate attribute, a
// character XML forbids) and returns the tree with values decoded. No XML parser is a dependency of the project.
import assert from "node:assert/strict";

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element, decoded. */
  text: string;
}

export function parseXml(xml: string): XmlElement {
  const forbidden =
    // eslint-disable-next-line no-control-regex -- looking for the characters XML forbids
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  assert.ok(!forbidden.test(xml), "a character XML 1.0 does not allow");
  const name = /[A-Za-z_:][\w.:-]*/y;
  let at = 0;
  const fail = (what: string): never => assert.fail(`${what} at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  const decode = (raw: string): string => {
    if (raw.includes("<")) fail("raw <");
    return raw.replace(/&([^;]*);?/g, (match, ref: string) => {
      if (!match.endsWith(";")) fail("unterminated reference");
      const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
      if (ref in named) return named[ref] ?? "";
      const num = /^#x([0-9A-Fa-f]+)$/.exec(ref)?.[1] ?? /^#([0-9]+)$/.exec(ref)?.[1];
      if (num === undefined) return fail(`undefined entity &${ref};`);
      const code = ref.startsWith("#x") ? parseInt(num, 16) : parseInt(num, 10);
      const char = String.fromCodePoint(code);
      if (forbidden.test(char) || code > 0x10ffff) fail(`forbidden character reference &${ref};`);
      return char;
    });
  };
  const readName = (): string => {
    name.lastIndex = at;
    const m = name.exec(xml);
    if (!m) return fail("name expected");
    at += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (/\s/.test(xml[at] ?? "")) at++;
  };
  if (xml.startsWith("<?xml")) {
    const end = xml.indexOf("?>");
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\?>$/.test(xml.slice(0, end + 2))) fail("bad declaration");
    at = end + 2;
  }
  skipSpace();
  const parseElement = (): XmlElement => {
    if (xml[at] !== "<") fail("< expected");
    at++;
    const element: XmlElement = { name: readName(), attributes: {}, children: [], text: "" };
    for (;;) {
      const before = at;
      skipSpace();
      if (xml.startsWith("/>", at)) {
        at += 2;
        return element;
      }
      if (xml[at] === ">") {
        at++;
        break;
      }
      if (at === before) fail("space expected before attribute");
      const attr = readName();
      if (attr in element.attributes) fail(`duplicate attribute ${attr}`);
      skipSpace();
      if (xml[at] !== "=") fail("= expected");
      at++;
      skipSpace();
      const quote = xml[at];
      if (quote !== '"' && quote !== "'") return fail("quoted value expected");
      const end = xml.indexOf(quote, at + 1);
      if (end < 0) fail("unterminated attribute");
      // Line ends normalized, then literal whitespace becomes spaces; references keep what they stand for.
      element.attributes[attr] = decode(
        xml
          .slice(at + 1, end)
          .replaceAll("\r\n", "\n")
          .replace(/[\t\n\r]/g, " "),
      );
      at = end + 1;
    }
    for (;;) {
      const next = xml.indexOf("<", at);
      if (next < 0) fail(`unclosed <${element.name}>`);
      const raw = xml.slice(at, next);
      if (raw.includes("]]>")) fail("]]> in character data");
      element.text += decode(raw.replaceAll("\r\n", "\n").replaceAll("\r", "\n"));
      at = next;
      if (xml.startsWith("</", at)) {
        at += 2;
        if (readName() !== element.name) fail(`mismatched end tag for <${element.name}>`);
        skipSpace();
        if (xml[at] !== ">") fail("> expected");
        at++;
        return element;
      }
      element.children.push(parseElement());
    }
  };
  const root = parseElement();
  skipSpace();
  if (at !== xml.length) fail("content after the root element");
  return root;
}
