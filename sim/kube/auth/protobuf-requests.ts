// The protobuf bodies client-go's typed clients send for the requests served here (`kubectl create token` and
// `kubectl auth can-i` POST TokenRequest and the self access reviews as `application/vnd.kubernetes.protobuf`),
// read into the JSON shape: the `k8s\0` envelope (runtime.Unknown) around the message, decoded with the field
// numbers of k8s.io/api's generated.proto (authentication/v1 TokenRequest, authorization/v1 reviews). Only the
// fields these requests carry are read; anything else is skipped, as protobuf allows.
import { badRequest } from "../store/status.ts";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, (Buffer | bigint)[]>;

/** The body of a protobuf request to one of the access endpoints, as the equivalent JSON object. */
export function decodeProtobufRequest(path: string, body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest("the protobuf body lacks the k8s envelope");
  if (path.endsWith("/selfsubjectreviews")) return {};
  const raw = bytes(fields(body.subarray(4)), 2);
  const message = fields(raw ?? Buffer.alloc(0));
  const spec = fields(bytes(message, 2) ?? Buffer.alloc(0));
  if (path.endsWith("/token")) {
    const out: Record<string, unknown> = { audiences: strings(spec, 1) };
    const seconds = spec.get(4)?.[0];
    if (typeof seconds === "bigint") out.expirationSeconds = Number(seconds);
    return { spec: out };
  }
  if (path.endsWith("/selfsubjectrulesreviews")) return { spec: { namespace: string(spec, 1) ?? "" } };
  const out: Record<string, unknown> = {};
  const resource = bytes(spec, 1);
  if (resource) {
    const r = fields(resource);
    const names = ["namespace", "verb", "group", "version", "resource", "subresource", "name"];
    out.resourceAttributes = Object.fromEntries(
      names.map((name, i) => [name, string(r, i + 1)]).filter(([, value]) => value !== undefined),
    );
  }
  const nonResource = bytes(spec, 2);
  if (nonResource) {
    const n = fields(nonResource);
    out.nonResourceAttributes = { path: string(n, 1) ?? "", verb: string(n, 2) ?? "" };
  }
  return { spec: out };
}

function bytes(f: Fields, field: number): Buffer | undefined {
  const value = f.get(field)?.[0];
  return Buffer.isBuffer(value) ? value : undefined;
}

function string(f: Fields, field: number): string | undefined {
  return bytes(f, field)?.toString("utf8");
}

function strings(f: Fields, field: number): string[] {
  return (f.get(field) ?? []).filter((v) => Buffer.isBuffer(v)).map((v) => v.toString("utf8"));
}

/** The protobuf wire format: varints and length-delimited fields (fixed-width ones are skipped). */
function fields(buffer: Buffer): Fields {
  const out: Fields = new Map();
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      if (at >= buffer.length || shift > 63n) throw badRequest("the protobuf body is truncated");
      const byte = buffer[at++] as number;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7n;
    }
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let value: Buffer | bigint;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = Number(varint());
      if (at + length > buffer.length) throw badRequest("the protobuf body is truncated");
      value = buffer.subarray(at, at + length);
      at += length;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
      continue;
    } else throw badRequest(`the protobuf body has an unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}
