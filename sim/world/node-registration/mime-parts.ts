// A MIME multi-part archive as cloud-init and nodeadm read EC2 user data: a `Content-Type: multipart/…;
// boundary=…` header, then parts each with their own `Content-Type`. Karpenter writes it with boundary `//` and
// without carriage returns (aws pkg/providers/amifamily/bootstrap/mime/mime.go); Go's mime/multipart also accepts
// CRLF, and so does this.
export interface MimePart {
  contentType: string;
  content: string;
}

/** Not a readable archive: the message says what is wrong, as the reader on the node would fail. */
export class MimeError extends Error {}

function headers(block: string): Map<string, string> {
  const out = new Map<string, string>();
  // Folded header lines (continued with leading white space) belong to the line before.
  for (const line of block.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) out.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

/** True when the text starts as a MIME document (the test Karpenter and nodeadm apply). */
export function isMime(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith("MIME-Version:") || start.startsWith("Content-Type:");
}

export function parseMimeArchive(text: string): MimePart[] {
  const split = /\r?\n\r?\n/.exec(text);
  if (!split) throw new MimeError("the MIME archive has no blank line after its headers");
  const contentType = headers(text.slice(0, split.index)).get("content-type");
  if (!contentType) throw new MimeError("the MIME archive has no Content-Type header");
  if (!contentType.toLowerCase().startsWith("multipart/")) {
    throw new MimeError(`the MIME archive is ${contentType}, not multipart`);
  }
  const boundary = /boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw new MimeError("the MIME archive's Content-Type names no boundary");
  const body = text.slice(split.index + split[0].length);
  const lines = body.split(/\r?\n/);
  const parts: MimePart[] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    if (line.trimEnd() === `--${marker}--`) {
      if (current) parts.push(part(current));
      closed = true;
      break;
    }
    if (line.trimEnd() === `--${marker}`) {
      if (current) parts.push(part(current));
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (!closed) throw new MimeError(`the MIME archive does not end with its closing boundary --${marker}--`);
  return parts;
}

function part(lines: string[]): MimePart {
  const text = lines.join("\n");
  const split = /\n\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  // The line break before the next boundary belongs to the boundary, not to the content.
  const content = split ? text.slice(split.index + 2) : "";
  return { contentType: headers(head).get("content-type") ?? "text/plain", content };
}
