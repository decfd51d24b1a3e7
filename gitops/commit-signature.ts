// Verifies Git SSH commit signatures (`gpg.format=ssh`) against an allowed-signers list, with node:crypto only.
// A signed commit carries a `gpgsig` header holding an armored SSHSIG blob (OpenSSH PROTOCOL.sshsig) made in
// namespace "git" over the commit object minus that header. Keys: ssh-ed25519, ecdsa-sha2-nistp256/384/521, and
// ssh-rsa with rsa-sha2-256/512 signatures (SHA-1 "ssh-rsa" signatures are refused). The allowed-signers parser
// follows ssh-keygen(1) ALLOWED SIGNERS and honours namespaces= and valid-after=/valid-before= the way
// `git verify-commit` does, against the committer time. Nothing here throws on bad input: a bad signature is a
// verdict, a bad signers line an error entry.
// isomorphic-git's readCommit `payload` only strips PGP signatures; for an SSH-signed commit it is garbage, so derive
// the payload from the raw object with `signedCommitParts` (verifyCommitAt does).
import { constants, createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import fs from "node:fs";
import git from "isomorphic-git";

export interface AllowedSigner {
  /** Principal patterns from the first field; ["*"] for a plain authorized_keys / .pub line. */
  principals: string[];
  keyType: string;
  /** The SSH wire-format public key blob (what the .pub line's base64 decodes to). */
  publicKey: Uint8Array;
  /** "SHA256:<base64, no padding>", as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** namespaces="…" patterns; absent: every namespace. */
  namespaces?: string[];
  /** valid-after="…" / valid-before="…", compared with the commit's committer time as ssh-keygen does for git. */
  validAfter?: Date;
  validBefore?: Date;
  source: { file: string; line: number };
}

export interface AllowedSignersResult {
  signers: AllowedSigner[];
  /** line 0: the whole file. */
  errors: { file: string; line: number; message: string }[];
}

export type SignatureVerdict = { ok: true; fingerprint: string; principals: string[] } | { ok: false; reason: string };

export interface SignedCommitParts {
  /** The signature with the header's indentation removed; undefined: no `gpgsig` header. */
  gpgsig: string | undefined;
  /** The bytes the signature covers: the commit object without its signature headers. */
  payload: Uint8Array;
}

const NAMESPACE = "git";
const MAX_SIGNATURE_CHARS = 64 * 1024;
const MAX_SIGNERS_FILE_CHARS = 1024 * 1024;
const MAX_SIGNERS_LINE_CHARS = 16 * 1024;
// OpenSSH's limits: SSH_RSA_MINIMUM_MODULUS_SIZE and SSHBUF_MAX_BIGNUM.
const MIN_RSA_BITS = 1024;
const MAX_BIGNUM_BYTES = 2048;

const BEGIN_SSH = "-----BEGIN SSH SIGNATURE-----";
const END_SSH = "-----END SSH SIGNATURE-----";
const BEGIN_PGP = "-----BEGIN PGP SIGNATURE-----";
const BEGIN_X509 = "-----BEGIN SIGNED MESSAGE-----";
const MAGIC = Buffer.from("SSHSIG", "latin1");

interface EcCurve {
  name: string;
  jwk: string;
  size: number;
  hash: string;
}

const EC_CURVES: Record<string, EcCurve | undefined> = {
  "ecdsa-sha2-nistp256": { name: "nistp256", jwk: "P-256", size: 32, hash: "sha256" },
  "ecdsa-sha2-nistp384": { name: "nistp384", jwk: "P-384", size: 48, hash: "sha384" },
  "ecdsa-sha2-nistp521": { name: "nistp521", jwk: "P-521", size: 66, hash: "sha512" },
};

const SUPPORTED_KEY_TYPES = new Set(["ssh-ed25519", "ssh-rsa", ...Object.keys(EC_CURVES)]);
// Real OpenSSH key types we can recognise in a signers file but not verify (security keys need FIDO assertions).
const UNSUPPORTED_KEY_TYPES = new Set(["ssh-dss", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"]);

/** A verdict other than "malformed": the message is the whole reason. */
class Refusal extends Error {}

function malformed(message: string): Refusal {
  return new Refusal(`malformed SSH signature: ${message}`);
}

/** Reads SSH wire encoding (RFC 4251 §5); every read is bounds-checked. */
class WireReader {
  readonly #buf: Uint8Array;
  readonly #what: string;
  #pos = 0;

  constructor(buf: Uint8Array, what: string) {
    this.#buf = buf;
    this.#what = what;
  }

  bytes(length: number): Uint8Array {
    if (length > this.#buf.length - this.#pos) throw new Error(`${this.#what} is truncated`);
    const out = this.#buf.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return out;
  }

  uint32(): number {
    const b = this.bytes(4);
    return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  }

  string(): Uint8Array {
    return this.bytes(this.uint32());
  }

  text(): string {
    return Buffer.from(this.string()).toString("latin1");
  }

  /** An unsigned mpint with leading zeros trimmed; negative values are refused like OpenSSH does. */
  mpint(): Uint8Array {
    let b = this.string();
    if (b.length > MAX_BIGNUM_BYTES + 1) throw new Error(`${this.#what} has an oversized integer`);
    if (b.length > 0 && ((b[0] ?? 0) & 0x80) !== 0) throw new Error(`${this.#what} has a negative integer`);
    while (b.length > 0 && b[0] === 0) b = b.subarray(1);
    return b;
  }

  end(): void {
    if (this.#pos !== this.#buf.length) throw new Error(`${this.#what} has trailing data`);
  }
}

interface ParsedKey {
  type: string;
  key: KeyObject;
  /** RSA modulus length in bytes (signatures are left-padded to it); 0 for other types. */
  modulusBytes: number;
}

/** Parses and validates an SSH public key blob; throws with a plain message when it is not a usable key. */
function parsePublicKey(blob: Uint8Array): ParsedKey {
  const r = new WireReader(blob, "the public key");
  const type = r.text();
  if (type === "ssh-ed25519") {
    const raw = r.string();
    r.end();
    if (raw.length !== 32) throw new Error("the ssh-ed25519 key is not 32 bytes");
    return { type, key: jwkKey({ kty: "OKP", crv: "Ed25519", x: b64url(raw) }), modulusBytes: 0 };
  }
  const curve = EC_CURVES[type];
  if (curve !== undefined) {
    const name = r.text();
    const point = r.string();
    r.end();
    if (name !== curve.name) throw new Error(`the ${type} key names curve ${quote(name)}`);
    if (point.length !== 1 + 2 * curve.size || point[0] !== 4)
      throw new Error(`the ${type} key is not an uncompressed point`);
    const x = b64url(point.subarray(1, 1 + curve.size));
    const y = b64url(point.subarray(1 + curve.size));
    return { type, key: jwkKey({ kty: "EC", crv: curve.jwk, x, y }), modulusBytes: 0 };
  }
  if (type === "ssh-rsa") {
    const e = r.mpint();
    const n = r.mpint();
    r.end();
    if (e.length === 0 || n.length === 0) throw new Error("the ssh-rsa key has a zero exponent or modulus");
    if (bitLength(n) < MIN_RSA_BITS) throw new Error(`the ssh-rsa key is shorter than ${MIN_RSA_BITS} bits`);
    return { type, key: jwkKey({ kty: "RSA", n: b64url(n), e: b64url(e) }), modulusBytes: n.length };
  }
  throw new Error(`key type ${quote(type)} is not supported`);
}

function jwkKey(jwk: Record<string, string>): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: "jwk" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_CRYPTO_INVALID_JWK") throw error;
    throw new Error("the public key is not a valid point or modulus", { cause: error });
  }
}

function bitLength(n: Uint8Array): number {
  const top = n[0] ?? 0;
  return top === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(top));
}

export function fingerprintOf(publicKey: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(publicKey).digest("base64").replace(/=+$/, "")}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Allowed signers

export function parseAllowedSigners(text: string, file: string): AllowedSignersResult {
  const result: AllowedSignersResult = { signers: [], errors: [] };
  if (text.length > MAX_SIGNERS_FILE_CHARS) {
    result.errors.push({ file, line: 0, message: "the file is larger than 1 MiB; no signer was read from it" });
    return result;
  }
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    const parsed = parseSignerLine(raw.endsWith("\r") ? raw.slice(0, -1) : raw, { file, line });
    if (typeof parsed === "string") result.errors.push({ file, line, message: parsed });
    else if (parsed !== undefined) result.signers.push(parsed);
  });
  return result;
}

/** A signer, an error message, or undefined for a blank or comment line. */
function parseSignerLine(line: string, source: AllowedSigner["source"]): AllowedSigner | string | undefined {
  if (line.length > MAX_SIGNERS_LINE_CHARS) return "the line is longer than 16 KiB";
  const content = line.replace(/^[ \t]+/, "");
  if (content === "" || content.startsWith("#")) return undefined;
  const first = nextToken(line, 0);
  if (first === undefined) return undefined;
  if (typeof first === "string") return first;

  let principals = ["*"];
  let options: string | undefined;
  let typeToken = first;
  if (!isKeyTypeName(first.token)) {
    const dequoted = /^"(.*)"$/.exec(first.token)?.[1] ?? first.token;
    principals = dequoted.split(",");
    if (principals.some((p) => p === "")) return "the principals list has an empty entry";
    const second = nextToken(line, first.end);
    if (second === undefined) return "missing key type and key";
    if (typeof second === "string") return second;
    typeToken = second;
    // Like ssh-keygen: what is not a key type after the principals must be options, followed by the key type.
    if (!isKeyTypeName(second.token)) {
      const third = nextToken(line, second.end);
      if (typeof third === "string") return third;
      if (third === undefined || !isKeyTypeName(third.token)) return `unknown key type ${quote(second.token)}`;
      options = second.token;
      typeToken = third;
    }
  }

  const keyType = typeToken.token;
  if (!SUPPORTED_KEY_TYPES.has(keyType)) {
    return `key type ${quote(keyType)} is not supported (supported: ${[...SUPPORTED_KEY_TYPES].join(", ")})`;
  }
  const keyToken = nextToken(line, typeToken.end);
  if (keyToken === undefined) return `missing the base64 ${keyType} key`;
  if (typeof keyToken === "string") return keyToken;
  const publicKey = decodeBase64(keyToken.token);
  if (publicKey === undefined) return "the key is not valid base64";
  let parsed: ParsedKey;
  try {
    parsed = parsePublicKey(publicKey);
  } catch (error) {
    return errorMessage(error);
  }
  if (parsed.type !== keyType)
    return `key type ${quote(keyType)} does not match the key itself (${quote(parsed.type)})`;

  const signer: AllowedSigner = { principals, keyType, publicKey, fingerprint: fingerprintOf(publicKey), source };
  if (options !== undefined) {
    const problem = applyOptions(signer, options);
    if (problem !== undefined) return problem;
  }
  return signer;
}

function isKeyTypeName(token: string): boolean {
  return SUPPORTED_KEY_TYPES.has(token) || UNSUPPORTED_KEY_TYPES.has(token) || token.endsWith("-cert-v01@openssh.com");
}

/**
 * The next token from `from`: up to unquoted whitespace, double quotes protecting spaces (a `\"` inside quotes is a
 * quote), as ssh-keygen reads principals and options. A string is an error message.
 */
function nextToken(line: string, from: number): { token: string; end: number } | string | undefined {
  let start = from;
  while (line[start] === " " || line[start] === "\t") start++;
  if (start >= line.length) return undefined;
  let i = start;
  let quoted = false;
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === "\\" && quoted && line[i + 1] === '"') i++;
    else if (!quoted && (c === " " || c === "\t")) break;
  }
  if (quoted) return "unterminated double quote";
  return { token: line.slice(start, i), end: i };
}

/** Applies `namespaces=`, `valid-after=`, `valid-before=`; returns an error message for anything else. */
function applyOptions(signer: AllowedSigner, options: string): string | undefined {
  for (const option of splitOutsideQuotes(options)) {
    const match = /^([a-z-]+)(?:="((?:[^"\\]|\\.)*)")?$/i.exec(option);
    const name = match?.[1]?.toLowerCase();
    const value = match?.[2]?.replace(/\\"/g, '"');
    if (name === "cert-authority" && value === undefined) {
      return "cert-authority entries are not supported (certificates cannot be verified here)";
    }
    if (name === "namespaces" && value !== undefined) {
      if (signer.namespaces !== undefined) return "namespaces is given twice";
      signer.namespaces = value.split(",");
    } else if ((name === "valid-after" || name === "valid-before") && value !== undefined) {
      const when = parseOptionTime(value);
      if (when === undefined) return `${name} ${quote(value)} is not YYYYMMDD[HHMM[SS]][Z]`;
      const field = name === "valid-after" ? "validAfter" : "validBefore";
      if (signer[field] !== undefined) return `${name} is given twice`;
      signer[field] = when;
    } else {
      return `unknown or malformed option ${quote(option)}`;
    }
  }
  return undefined;
}

function splitOutsideQuotes(options: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i] ?? "";
    if (c === "\\" && quoted && options[i + 1] === '"') {
      current += '\\"';
      i++;
    } else if (c === "," && !quoted) {
      parts.push(current);
      current = "";
    } else {
      if (c === '"') quoted = !quoted;
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** ssh-keygen's absolute time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS; local time unless it ends in Z. */
function parseOptionTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(z)?$/i.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0));
  if (year === undefined || month === undefined || day === undefined) return undefined;
  if (hour === undefined || minute === undefined || second === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  return m[7] === undefined
    ? new Date(year, month - 1, day, hour, minute, second)
    : new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** OpenSSH's match_pattern_list: comma-separated globs (`*`, `?`); a matching `!pattern` denies outright. */
function matchesPatternList(value: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const glob = negated ? pattern.slice(1) : pattern;
    const source = glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    if (new RegExp(`^${source}$`, "s").test(value)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

// ---------------------------------------------------------------------------------------------------------------
// Commit payload

/**
 * Splits a raw commit object (as `git cat-file commit` prints it) into its signature and signed payload exactly as
 * git's parse_buffer_signed_by_header does in a SHA-1 repository: `gpgsig` header lines (and their continuation
 * lines) form the signature, other `gpgsig*` headers (e.g. `gpgsig-sha256`) are dropped, everything else is payload.
 */
export function signedCommitParts(raw: Uint8Array | string): SignedCommitParts {
  const buf = typeof raw === "string" ? Buffer.from(raw, "utf8") : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  const signature: Buffer[] = [];
  const payload: Buffer[] = [];
  let inSignature = false;
  let otherSignature = false;
  let saw = false;
  let pos = 0;
  while (pos < buf.length) {
    const newline = buf.indexOf(0x0a, pos);
    let next = newline === -1 ? buf.length : newline + 1;
    let sigStart = -1;
    if (inSignature && buf[pos] === 0x20) {
      sigStart = pos + 1;
    } else if (startsWithAt(buf, pos, "gpgsig ")) {
      sigStart = pos + "gpgsig ".length;
      otherSignature = false;
    } else if (startsWithAt(buf, pos, "gpgsig")) {
      otherSignature = true;
    } else if (otherSignature && buf[pos] !== 0x20) {
      otherSignature = false;
    }
    if (sigStart >= 0) {
      signature.push(buf.subarray(sigStart, next));
      saw = true;
      inSignature = true;
    } else {
      // The blank line ends the headers: the message is payload as it is.
      if (buf[pos] === 0x0a) next = buf.length;
      if (!otherSignature) payload.push(buf.subarray(pos, next));
      inSignature = false;
    }
    pos = next;
  }
  return {
    gpgsig: saw ? Buffer.concat(signature).toString("latin1") : undefined,
    payload: new Uint8Array(Buffer.concat(payload)),
  };
}

function startsWithAt(buf: Buffer, pos: number, prefix: string): boolean {
  return buf.length - pos >= prefix.length && buf.toString("latin1", pos, pos + prefix.length) === prefix;
}

/** The header block (up to the blank line) as latin1 lines. */
function headerLines(payload: Buffer): string[] {
  const end = payload.indexOf("\n\n", 0, "latin1");
  return payload.toString("latin1", 0, end === -1 ? payload.length : end).split("\n");
}

/** The committer timestamp git hands ssh-keygen as the verify time; undefined (git: none, so "now") if 0 or absent. */
function committerTime(lines: readonly string[]): Date | undefined {
  const committer = lines.find((line) => line.startsWith("committer "));
  const seconds = Number(/>\s*(\d+)(?:\s|$)/.exec(committer?.slice(committer.lastIndexOf(">")) ?? "")?.[1] ?? 0);
  return seconds > 0 ? new Date(seconds * 1000) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Verification

export function verifyCommitSignature(
  input: { gpgsig?: string | undefined; payload: string | Uint8Array },
  signers: readonly AllowedSigner[],
): SignatureVerdict {
  try {
    return verifyOrRefuse(input, signers);
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message };
    return { ok: false, reason: `malformed SSH signature: ${errorMessage(error)}` };
  }
}

function verifyOrRefuse(
  input: { gpgsig?: unknown; payload?: unknown },
  signers: readonly AllowedSigner[],
): SignatureVerdict {
  const { gpgsig, payload } = input;
  if (gpgsig === undefined || gpgsig === null) throw new Refusal("commit is not signed");
  if (typeof gpgsig !== "string") throw malformed("the signature is not text");
  if (typeof payload !== "string" && !(payload instanceof Uint8Array)) {
    throw new Refusal("the commit payload is missing");
  }
  const signed = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  const headers = headerLines(signed);
  if (headers.some((line) => line.startsWith("gpgsig"))) {
    // What readCommit returns for an SSH-signed commit; git never signs a payload with this header.
    throw new Refusal("the payload still contains the signature header; derive it with signedCommitParts");
  }

  const blob = dearmor(gpgsig);
  const r = new WireReader(blob, "the signature");
  let namespace: string;
  let publicKey: Uint8Array;
  let hashAlgorithm: string;
  let signature: Uint8Array;
  try {
    if (!Buffer.from(r.bytes(MAGIC.length)).equals(MAGIC)) throw new Error("the SSHSIG magic is missing");
    const version = r.uint32();
    if (version !== 1) throw new Error(`version ${version} is not supported`);
    publicKey = r.string();
    namespace = r.text();
    r.string(); // reserved: OpenSSH ignores its content and verifies over an empty one
    hashAlgorithm = r.text();
    signature = r.string();
    r.end();
  } catch (error) {
    throw malformed(errorMessage(error));
  }
  if (namespace !== NAMESPACE) throw new Refusal(`signature namespace is ${quote(namespace)}, expected "git"`);
  if (hashAlgorithm !== "sha256" && hashAlgorithm !== "sha512") {
    throw malformed(`hash algorithm ${quote(hashAlgorithm)} is not sha256 or sha512`);
  }

  const fingerprint = fingerprintOf(publicKey);
  const candidates = signers.filter((s) => Buffer.from(s.publicKey).equals(publicKey));
  if (candidates.length === 0) throw new Refusal(`signed by ${fingerprint} which is not an allowed signer`);

  let key: ParsedKey;
  try {
    key = parsePublicKey(publicKey);
  } catch (error) {
    throw malformed(errorMessage(error));
  }
  const digest = createHash(hashAlgorithm).update(signed).digest();
  const signedData = Buffer.concat([
    MAGIC,
    sshString(NAMESPACE),
    sshString(""),
    sshString(hashAlgorithm),
    sshString(digest),
  ]);
  if (!verifyRawSignature(key, signature, signedData)) {
    throw new Refusal("signature does not match the commit (tampered or corrupt)");
  }

  const forGit = candidates.filter((s) => s.namespaces === undefined || matchesPatternList(NAMESPACE, s.namespaces));
  if (forGit.length === 0) throw new Refusal(`signed by ${fingerprint} which is not allowed to sign namespace "git"`);
  const at = committerTime(headers) ?? new Date();
  const current = forGit.filter(
    (s) => (s.validAfter === undefined || at >= s.validAfter) && (s.validBefore === undefined || at <= s.validBefore),
  );
  if (current.length === 0) {
    throw new Refusal(`signed by ${fingerprint} whose allowed-signers entry is not valid at ${at.toISOString()}`);
  }
  return { ok: true, fingerprint, principals: [...new Set(current.flatMap((s) => s.principals))] };
}

function dearmor(gpgsig: string): Uint8Array {
  if (gpgsig.length > MAX_SIGNATURE_CHARS) throw malformed("it is larger than 64 KiB");
  const text = gpgsig.replace(/\r/g, "").trim();
  if (text.startsWith(BEGIN_PGP)) throw new Refusal("commit has a PGP signature; only SSH signatures are supported");
  if (text.startsWith(BEGIN_X509))
    throw new Refusal("commit has an X.509 signature; only SSH signatures are supported");
  if (!text.startsWith(BEGIN_SSH)) throw malformed(`it does not start with ${BEGIN_SSH}`);
  if (!text.endsWith(END_SSH)) throw malformed(`it does not end with ${END_SSH}`);
  const body = text.slice(BEGIN_SSH.length, text.length - END_SSH.length).replace(/[ \t\n]/g, "");
  const blob = decodeBase64(body);
  if (blob === undefined) throw malformed("the armored body is not valid base64");
  return blob;
}

/** Checks the inner signature blob (string algorithm, string bytes) with the key's algorithm. */
function verifyRawSignature(key: ParsedKey, blob: Uint8Array, data: Buffer): boolean {
  let algorithm: string;
  let raw: Uint8Array;
  try {
    const r = new WireReader(blob, "the signature blob");
    algorithm = r.text();
    raw = r.string();
    r.end();
  } catch (error) {
    throw malformed(errorMessage(error));
  }
  if (key.type === "ssh-ed25519") {
    if (algorithm !== key.type) throw malformed(`signature algorithm ${quote(algorithm)} does not fit the key`);
    if (raw.length !== 64) throw malformed("the ssh-ed25519 signature is not 64 bytes");
    return verify(null, data, key.key, raw);
  }
  const curve = EC_CURVES[key.type];
  if (curve !== undefined) {
    if (algorithm !== key.type) throw malformed(`signature algorithm ${quote(algorithm)} does not fit the key`);
    let r: Uint8Array;
    let s: Uint8Array;
    try {
      const inner = new WireReader(raw, "the ECDSA signature");
      r = inner.mpint();
      s = inner.mpint();
      inner.end();
    } catch (error) {
      throw malformed(errorMessage(error));
    }
    if (r.length > curve.size || s.length > curve.size) throw malformed("the ECDSA signature values are too large");
    const p1363 = Buffer.concat([leftPad(r, curve.size), leftPad(s, curve.size)]);
    return verify(curve.hash, data, { key: key.key, dsaEncoding: "ieee-p1363" }, p1363);
  }
  // ssh-rsa
  if (algorithm === "ssh-rsa") {
    throw new Refusal("signature uses ssh-rsa (SHA-1); only rsa-sha2-256 and rsa-sha2-512 are accepted");
  }
  const hash = algorithm === "rsa-sha2-256" ? "sha256" : algorithm === "rsa-sha2-512" ? "sha512" : undefined;
  if (hash === undefined) throw malformed(`signature algorithm ${quote(algorithm)} does not fit the key`);
  // OpenSSH left-pads a short RSA signature to the modulus length; OpenSSL insists on the exact length.
  if (raw.length > key.modulusBytes) throw malformed("the RSA signature is longer than the modulus");
  const padded = leftPad(raw, key.modulusBytes);
  return verify(hash, data, { key: key.key, padding: constants.RSA_PKCS1_PADDING }, padded);
}

/** Reads the commit's raw object with isomorphic-git and verifies it; an unreadable object is a refusal, too. */
export async function verifyCommitAt(
  gitdir: string,
  sha: string,
  signers: readonly AllowedSigner[],
): Promise<SignatureVerdict> {
  let raw: Uint8Array;
  try {
    // Not readCommit: its payload is wrong for SSH signatures and normalises newlines the signature covers.
    const read = await git.readObject({ fs, gitdir, oid: sha, format: "content" });
    if (read.format !== "content" || read.type !== "commit") {
      return { ok: false, reason: `${quote(sha)} is a ${read.type}, not a commit` };
    }
    raw = read.object;
  } catch (error) {
    return { ok: false, reason: `cannot read commit ${quote(sha)}: ${errorMessage(error)}` };
  }
  return verifyCommitSignature(signedCommitParts(raw), signers);
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function sshString(value: string | Uint8Array): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function leftPad(bytes: Uint8Array, size: number): Buffer {
  const out = Buffer.alloc(size);
  out.set(bytes, size - bytes.length);
  return out;
}

/** Strict base64: the alphabet, whole quanta, at most two '=' at the end. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, "base64"));
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** Quotes untrusted text for a reason: JSON escapes, cut at 64 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
