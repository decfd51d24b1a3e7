// EC2's response XML: a root `<ActionResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` holding
// `requestId` and the result's members under their EC2 wire names (lowerCamel, lists as `…Set` of `<item>`s).
// Operations build plain data keyed by those wire names; this writes it. Mirrors the shape the SDK's
// AwsEc2QueryProtocol deserializer (and botocore's) reads.

export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** Plain data as EC2 serializes it: arrays become `<item>` lists, undefined members are left out. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | { [name: string]: XmlValue };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Writes one element; list entries are `<item>`s (EC2) or `<member>`s (IAM and the other Query services). */
export function writeElement(name: string, value: XmlValue, out: string[], listItem = "item"): void {
  if (value === undefined || value === null) return;
  out.push(`<${name}>`);
  if (Array.isArray(value)) {
    for (const item of value) writeElement(listItem, item, out, listItem);
  } else if (value instanceof Date) {
    out.push(value.toISOString());
  } else if (typeof value === "object") {
    for (const [member, child] of Object.entries(value)) writeElement(member, child, out, listItem);
  } else {
    out.push(escapeXml(String(value)));
  }
  out.push(`</${name}>`);
}

/** The whole response document of `action`. */
export function ec2Response(action: string, requestId: string, result: Record<string, XmlValue>): string {
  const out = [`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">`];
  writeElement("requestId", requestId, out);
  for (const [member, value] of Object.entries(result)) writeElement(member, value, out);
  out.push(`</${action}Response>`);
  return out.join("");
}

/** EC2's error document (HTTP 400/5xx): `<Response><Errors><Error><Code>…</Code><Message>…</Message>`. */
export function ec2ErrorResponse(code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`
  );
}
