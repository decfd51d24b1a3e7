// Real inputs only: keys from ssh-keygen, commits signed by the git CLI (or hand-assembled and written with
// `git hash-object` where git cannot produce the case), read back with isomorphic-git, and `git verify-commit`
// as the referee for what counts as a good signature.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, createPrivateKey, sign } from "node:crypto";
import fs, { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import git from "isomorphic-git";
import {
  parseAllowedSigners,
  signedCommitParts,
  verifyCommitAt,
  verifyCommitSignature,
  type AllowedSigner,
} from "../../gitops/commit-signature.ts";

const work = mkdtempSync(join(tmpdir(), "poolkeeper-commit-signature-"));
after(() => rmSync(work, { recursive: true, force: true }));

const repo = join(work, "repo");
const gitdir = join(repo, ".git");
const globalConfig = join(work, "gitconfig");
writeFileSync(globalConfig, "");
// Hermetic: no user or system git config, no agent, and a fixed commit time for the validity-window cases.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: globalConfig,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_DATE: "2026-11-25T09:00:00Z",
  GIT_COMMITTER_DATE: "2026-11-25T09:00:00Z",
  LC_ALL: "C",
};
delete env.SSH_AUTH_SOCK;
const COMMIT_TIME = "2026-11-25T09:00:00.000Z";

function run(command: string, args: string[], options: { cwd?: string; input?: string | Uint8Array } = {}): Buffer {
  return execFileSync(command, args, { cwd: options.cwd ?? work, input: options.input, env, stdio: "pipe" });
}

function text(command: string, args: string[], options: { cwd?: string; input?: string | Uint8Array } = {}): string {
  return run(command, args, options).toString("utf8").trim();
}

interface Key {
  name: string;
  path: string;
  /** The .pub line: "type base64 comment". */
  pub: string;
  blob: Buffer;
  /** What `ssh-keygen -lf key.pub` prints as the fingerprint. */
  fingerprint: string;
}

function keygen(name: string, type: string, bits?: number): Key {
  const path = join(work, name);
  const size = bits === undefined ? [] : ["-b", String(bits)];
  run("ssh-keygen", ["-q", "-t", type, ...size, "-N", "", "-C", `${name}@example.test`, "-f", path]);
  const pub = readFileSync(`${path}.pub`, "utf8").trim();
  const fingerprint = text("ssh-keygen", ["-lf", `${path}.pub`]).split(" ")[1] ?? "";
  return { name, path, pub, blob: Buffer.from(pub.split(" ")[1] ?? "", "base64"), fingerprint };
}

const ed25519 = keygen("alice", "ed25519");
const ecdsa256 = keygen("bob", "ecdsa", 256);
const ecdsa384 = keygen("dana", "ecdsa", 384);
const ecdsa521 = keygen("erin", "ecdsa", 521);
const rsa = keygen("carol", "rsa", 3072);
const stranger = keygen("mallory", "ed25519");
const allKeys = [ed25519, ecdsa256, ecdsa384, ecdsa521, rsa];

const ALLOWED = [
  "# poolkeeper desired-state signers",
  "",
  `alice@example.test ${ed25519.pub}`,
  `bob@example.test,ops@example.test namespaces="git" ${ecdsa256.pub}`,
  `dana@example.test ${ecdsa384.pub}`,
  `erin@example.test ${ecdsa521.pub}`,
  `carol@example.test namespaces="file,git" ${rsa.pub}`,
  "",
].join("\n");
const allowedFile = join(work, "allowed_signers");
writeFileSync(allowedFile, ALLOWED);
const parsedAllowed = parseAllowedSigners(ALLOWED, "allowed_signers");
const signers = parsedAllowed.signers;
const principalsOf = new Map<Key, string[]>([
  [ed25519, ["alice@example.test"]],
  [ecdsa256, ["bob@example.test", "ops@example.test"]],
  [ecdsa384, ["dana@example.test"]],
  [ecdsa521, ["erin@example.test"]],
  [rsa, ["carol@example.test"]],
]);

// --- commits ---------------------------------------------------------------------------------------------------

run("git", ["init", "-q", repo]);
let revision = 0;

function commit(key: Key | undefined, message: string): string {
  revision++;
  writeFileSync(join(repo, "pools.yaml"), `revision: ${revision}\n`);
  text("git", ["add", "pools.yaml"], { cwd: repo });
  const identity = [
    "-c",
    "user.name=Poolkeeper Test",
    "-c",
    "user.email=test@example.test",
    "-c",
    "commit.gpgsign=false",
  ];
  const signing =
    key === undefined ? [] : ["-c", "gpg.format=ssh", "-c", `user.signingkey=${key.path}`, "commit", "-S"];
  text("git", [...identity, ...(key === undefined ? ["commit"] : signing), "-q", "-m", message], { cwd: repo });
  return text("git", ["rev-parse", "HEAD"], { cwd: repo });
}

function rawCommit(sha: string): Buffer {
  return run("git", ["cat-file", "commit", sha], { cwd: repo });
}

function writeCommit(raw: Uint8Array | string): string {
  return text("git", ["hash-object", "-t", "commit", "-w", "--stdin"], { cwd: repo, input: raw });
}

/** Adds `armored` as the gpgsig header at the end of the headers, laid out the way git writes it. */
function withSignature(unsigned: Buffer, armored: string, extraHeader = ""): Buffer {
  const raw = unsigned.toString("utf8");
  const end = raw.indexOf("\n\n") + 1;
  const header = `gpgsig ${armored.trimEnd().split("\n").join("\n ")}\n`;
  return Buffer.from(raw.slice(0, end) + extraHeader + header + raw.slice(end));
}

function sshKeygenSign(key: Key, namespace: string, payload: Uint8Array, hash = "sha512"): string {
  return run("ssh-keygen", ["-Y", "sign", "-f", key.path, "-n", namespace, "-O", `hashalg=${hash}`], {
    input: payload,
  }).toString("utf8");
}

function gitVerifies(sha: string, signersFile = allowedFile): boolean {
  const args = ["-c", `gpg.ssh.allowedSignersFile=${signersFile}`, "verify-commit", sha];
  return spawnSync("git", args, { cwd: repo, env, stdio: "pipe" }).status === 0;
}

const signedBy = new Map<Key, string>(allKeys.map((key) => [key, commit(key, `pools: signed by ${key.name}`)]));
const unsigned = commit(undefined, "pools: unsigned");
const byStranger = commit(stranger, "pools: signed by a stranger");
const unsignedRaw = rawCommit(unsigned);

const ed25519Raw = rawCommit(signedBy.get(ed25519) ?? "");
const tampered = writeCommit(Buffer.from(ed25519Raw.toString("utf8").replace("signed by alice", "signed by alicf")));
const fileNamespace = writeCommit(withSignature(unsignedRaw, sshKeygenSign(ed25519, "file", unsignedRaw)));
const gitNamespace256 = writeCommit(withSignature(unsignedRaw, sshKeygenSign(ed25519, "git", unsignedRaw, "sha256")));
const gitNamespace512 = writeCommit(withSignature(unsignedRaw, sshKeygenSign(ecdsa384, "git", unsignedRaw)));
// A second-algorithm signature header (as SHA-256 transition repositories write) is not part of the payload.
const withOtherHeader = writeCommit(
  withSignature(unsignedRaw, sshKeygenSign(ed25519, "git", unsignedRaw), "gpgsig-sha256 not-checked\n continued\n"),
);

const PGP = [
  "-----BEGIN PGP SIGNATURE-----",
  "",
  "iHUEABYKAB0WIQTtsbDuSQGg5TL0hOa1ZrnlrJmTqQUCaSV1mAAKCRC1ZrnlrJmT",
  "qQJyAQDE4Cw0vZ2p0jZn8a0xQ3bXoTHkzM4YtUuKLm1JZ1aX1QEAvVbT1pK3Qw==",
  "=wXyZ",
  "-----END PGP SIGNATURE-----",
].join("\n");
const pgpSigned = writeCommit(withSignature(unsignedRaw, PGP));

// --- hand-built SSHSIG for what ssh-keygen will not produce (it always signs RSA with rsa-sha2-512) -------------

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function sshString(value: string | Uint8Array): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  return Buffer.concat([u32(bytes.length), bytes]);
}

function armor(blob: Uint8Array): string {
  const lines =
    Buffer.from(blob)
      .toString("base64")
      .match(/.{1,70}/g) ?? [];
  return ["-----BEGIN SSH SIGNATURE-----", ...lines, "-----END SSH SIGNATURE-----", ""].join("\n");
}

function rsaSshsig(payload: Uint8Array, algorithm: "rsa-sha2-256" | "ssh-rsa"): string {
  const pem = join(work, "carol-pem");
  copyFileSync(rsa.path, pem);
  run("ssh-keygen", ["-p", "-q", "-P", "", "-N", "", "-m", "PEM", "-f", pem]);
  const privateKey = createPrivateKey(readFileSync(pem));
  const digest = createHash("sha512").update(payload).digest();
  const tbs = Buffer.concat([
    Buffer.from("SSHSIG"),
    sshString("git"),
    sshString(""),
    sshString("sha512"),
    sshString(digest),
  ]);
  const raw = sign(algorithm === "ssh-rsa" ? "sha1" : "sha256", tbs, privateKey);
  const inner = Buffer.concat([sshString(algorithm), sshString(raw)]);
  const outer = [Buffer.from("SSHSIG"), u32(1), sshString(rsa.blob), sshString("git"), sshString("")];
  return armor(Buffer.concat([...outer, sshString("sha512"), sshString(inner)]));
}

const rsaSha256 = writeCommit(withSignature(unsignedRaw, rsaSshsig(unsignedRaw, "rsa-sha2-256")));
const rsaSha1 = writeCommit(withSignature(unsignedRaw, rsaSshsig(unsignedRaw, "ssh-rsa")));

async function readCommit(sha: string) {
  return git.readCommit({ fs, gitdir, oid: sha });
}

// --- tests -----------------------------------------------------------------------------------------------------

test("fingerprints and key blobs match ssh-keygen for every key type", () => {
  for (const key of [...allKeys, stranger]) {
    const { signers: [signer, ...rest] = [], errors } = parseAllowedSigners(`${key.pub}\n`, `${key.name}.pub`);
    assert.deepEqual(errors, []);
    assert.equal(rest.length, 0);
    assert.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(signer?.fingerprint, key.fingerprint, key.name);
    assert.equal(signer?.keyType, key.pub.split(" ")[0]);
    assert.deepEqual(Buffer.from(signer?.publicKey ?? []), key.blob);
    assert.deepEqual(signer?.principals, ["*"]);
    assert.deepEqual(signer?.source, { file: `${key.name}.pub`, line: 1 });
  }
  assert.deepEqual(parsedAllowed.errors, []);
  assert.equal(signers.length, 5);
});

test("parseAllowedSigners: comments, options and .pub lines; bad lines reported by file and line", () => {
  const ed25519Base64 = ed25519.blob.toString("base64");
  const lines = [
    /* 1 */ "# desired-state signers",
    /* 2 */ "",
    /* 3 */ `   alice@example.test ${ed25519.pub}`,
    /* 4 */ `"bob@example.test,ops@example.test" namespaces="git",valid-after="20260101Z" ${ecdsa256.pub}`,
    /* 5 */ ecdsa384.pub,
    /* 6 */ "carol@example.test ssh-ed25519 AAAAC3NzaC1lZDI1NTE5!!!!",
    /* 7 */ `dave@example.test cert-authority ${ed25519.pub}`,
    /* 8 */ `frank@example.test no-touch-required ${ed25519.pub}`,
    /* 9 */ `grace@example.test ssh-rsa ${ed25519Base64}`,
    /* 10 */ "heidi@example.test",
    /* 11 */ '\t# an indented comment with an "unbalanced quote',
    /* 12 */ `erin@example.test valid-before="20270101" ${ecdsa521.pub}\r`,
    /* 13 */ `ivan@example.test ssh-ed25519 ${ed25519Base64.slice(0, -4)}`,
    /* 14 */ `judy@example.test sk-ssh-ed25519@openssh.com ${ed25519Base64}`,
  ];
  const { signers: parsed, errors } = parseAllowedSigners(lines.join("\n"), "signers");
  assert.deepEqual(
    parsed.map((s) => [s.source.line, s.principals, s.fingerprint]),
    [
      [3, ["alice@example.test"], ed25519.fingerprint],
      [4, ["bob@example.test", "ops@example.test"], ecdsa256.fingerprint],
      [5, ["*"], ecdsa384.fingerprint],
      [12, ["erin@example.test"], ecdsa521.fingerprint],
    ],
  );
  assert.deepEqual(parsed[1]?.namespaces, ["git"]);
  assert.deepEqual(parsed[1]?.validAfter, new Date("2026-01-01T00:00:00Z"));
  // Without a Z, ssh-keygen reads the time as local time.
  assert.deepEqual(parsed[3]?.validBefore, new Date(2027, 0, 1));
  assert.deepEqual(
    errors.map((e) => [e.file, e.line, e.message]),
    [
      ["signers", 6, "the key is not valid base64"],
      ["signers", 7, "cert-authority entries are not supported (certificates cannot be verified here)"],
      ["signers", 8, 'unknown or malformed option "no-touch-required"'],
      ["signers", 9, 'key type "ssh-rsa" does not match the key itself ("ssh-ed25519")'],
      ["signers", 10, "missing key type and key"],
      ["signers", 13, "the public key is truncated"],
      [
        "signers",
        14,
        'key type "sk-ssh-ed25519@openssh.com" is not supported (supported: ssh-ed25519, ssh-rsa, ' +
          "ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521)",
      ],
    ],
  );
});

test("parseAllowedSigners: an ECDSA key whose point is not on its curve is reported, not thrown", () => {
  // SSH wire format (RFC 5656): string type, string curve name, string uncompressed point 04 || x || y.
  const sshString = (bytes: Uint8Array) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  const blob = Buffer.concat([
    sshString(Buffer.from("ecdsa-sha2-nistp256")),
    sshString(Buffer.from("nistp256")),
    sshString(Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)])),
  ]);
  const { signers, errors } = parseAllowedSigners(
    `eve@example.test ecdsa-sha2-nistp256 ${blob.toString("base64")}`,
    "s",
  );
  assert.deepEqual(signers, []);
  assert.deepEqual(
    errors.map((e) => [e.line, e.message]),
    [[1, "the public key is not a valid point or modulus"]],
  );
});

test("parseAllowedSigners: an oversized file or line is refused, not parsed", () => {
  const huge = parseAllowedSigners(`${"#".repeat(1024 * 1024)}\n${ed25519.pub}`, "huge");
  assert.deepEqual(huge.signers, []);
  assert.deepEqual(huge.errors, [
    { file: "huge", line: 0, message: "the file is larger than 1 MiB; no signer was read from it" },
  ]);
  const long = parseAllowedSigners(`alice@example.test ${ed25519.pub} ${"x".repeat(20_000)}`, "long");
  assert.deepEqual(long.errors, [{ file: "long", line: 1, message: "the line is longer than 16 KiB" }]);
});

test("a commit signed by git is accepted for every key type (ed25519, ECDSA P-256/384/521, RSA 3072)", async () => {
  for (const key of allKeys) {
    const sha = signedBy.get(key) ?? "";
    const expected = { ok: true, fingerprint: key.fingerprint, principals: principalsOf.get(key) };
    assert.deepEqual(await verifyCommitAt(gitdir, sha, signers), expected, key.name);

    // The same through isomorphic-git's readCommit: its gpgsig is the one git stored.
    const { commit: parsed } = await readCommit(sha);
    const parts = signedCommitParts(rawCommit(sha));
    assert.equal(parsed.gpgsig, parts.gpgsig?.trimEnd());
    assert.deepEqual(verifyCommitSignature({ gpgsig: parsed.gpgsig, payload: parts.payload }, signers), expected);
  }
});

test("signedCommitParts: the payload is the commit without its signature header, as git signs it", async () => {
  const raw = rawCommit(signedBy.get(ecdsa256) ?? "").toString("utf8");
  const { gpgsig, payload } = signedCommitParts(raw);
  assert.match(gpgsig ?? "", /^-----BEGIN SSH SIGNATURE-----\n[A-Za-z0-9+/=\n]+-----END SSH SIGNATURE-----\n$/);
  assert.equal(Buffer.from(payload).toString("utf8"), raw.replace(/^gpgsig [^\n]*\n(?: [^\n]*\n)*/m, ""));
  // Assembled commits: the unsigned object comes back byte for byte, with or without a gpgsig-sha256 header.
  for (const sha of [fileNamespace, withOtherHeader, rsaSha256]) {
    assert.deepEqual(Buffer.from(signedCommitParts(rawCommit(sha)).payload), unsignedRaw);
  }
  assert.deepEqual(signedCommitParts(unsignedRaw), { gpgsig: undefined, payload: new Uint8Array(unsignedRaw) });
});

test("readCommit's payload is refused for SSH-signed commits rather than failing as a bad signature", async () => {
  // isomorphic-git only knows where a PGP signature ends, so its payload for an SSH-signed commit keeps the header.
  const { commit: parsed, payload } = await readCommit(signedBy.get(ed25519) ?? "");
  assert.match(payload, /\ngpgsig -----BEGIN SSH SIGNATURE-----/);
  assert.deepEqual(verifyCommitSignature({ gpgsig: parsed.gpgsig, payload }, signers), {
    ok: false,
    reason: "the payload still contains the signature header; derive it with signedCommitParts",
  });
});

test("an unsigned commit is refused", async () => {
  const reason = { ok: false, reason: "commit is not signed" };
  assert.deepEqual(await verifyCommitAt(gitdir, unsigned, signers), reason);
  const { commit: parsed, payload } = await readCommit(unsigned);
  assert.deepEqual(verifyCommitSignature({ gpgsig: parsed.gpgsig, payload }, signers), reason);
});

test("a commit signed by a key outside the list is refused, naming the key", async () => {
  assert.deepEqual(await verifyCommitAt(gitdir, byStranger, signers), {
    ok: false,
    reason: `signed by ${stranger.fingerprint} which is not an allowed signer`,
  });
  // An empty list trusts nobody.
  const verdict = await verifyCommitAt(gitdir, signedBy.get(ed25519) ?? "", []);
  assert.deepEqual(verdict, { ok: false, reason: `signed by ${ed25519.fingerprint} which is not an allowed signer` });
});

test("one changed byte of the payload fails verification for every key type", async () => {
  const reason = { ok: false, reason: "signature does not match the commit (tampered or corrupt)" };
  for (const key of allKeys) {
    const { gpgsig, payload } = signedCommitParts(rawCommit(signedBy.get(key) ?? ""));
    for (const at of [0, 50, payload.length - 2]) {
      const changed = Uint8Array.from(payload);
      changed[at] = (changed[at] ?? 0) ^ 0x01;
      assert.deepEqual(verifyCommitSignature({ gpgsig, payload: changed }, signers), reason, `${key.name} @${at}`);
    }
    assert.equal(verifyCommitSignature({ gpgsig, payload }, signers).ok, true);
  }
  assert.deepEqual(await verifyCommitAt(gitdir, tampered, signers), reason);
});

test("a signature made for another namespace is refused", async () => {
  const expected = { ok: false, reason: 'signature namespace is "file", expected "git"' };
  assert.deepEqual(await verifyCommitAt(gitdir, fileNamespace, signers), expected);
  const { commit: parsed } = await readCommit(fileNamespace);
  const { payload } = signedCommitParts(rawCommit(fileNamespace));
  assert.deepEqual(verifyCommitSignature({ gpgsig: parsed.gpgsig, payload }, signers), expected);
});

test("ssh-keygen -Y sign -n git signatures verify with either message hash (sha256, sha512)", async () => {
  const ok = (key: Key) => ({ ok: true, fingerprint: key.fingerprint, principals: principalsOf.get(key) });
  assert.deepEqual(await verifyCommitAt(gitdir, gitNamespace256, signers), ok(ed25519));
  assert.deepEqual(await verifyCommitAt(gitdir, gitNamespace512, signers), ok(ecdsa384));
  assert.deepEqual(await verifyCommitAt(gitdir, withOtherHeader, signers), ok(ed25519));
});

test("RSA: rsa-sha2-256 signatures are accepted, SHA-1 ssh-rsa signatures are refused", async () => {
  assert.deepEqual(await verifyCommitAt(gitdir, rsaSha256, signers), {
    ok: true,
    fingerprint: rsa.fingerprint,
    principals: ["carol@example.test"],
  });
  assert.deepEqual(await verifyCommitAt(gitdir, rsaSha1, signers), {
    ok: false,
    reason: "signature uses ssh-rsa (SHA-1); only rsa-sha2-256 and rsa-sha2-512 are accepted",
  });
});

test("a PGP signature is refused with its own reason", async () => {
  const expected = { ok: false, reason: "commit has a PGP signature; only SSH signatures are supported" };
  assert.deepEqual(await verifyCommitAt(gitdir, pgpSigned, signers), expected);
  const { commit: parsed, payload } = await readCommit(pgpSigned);
  assert.equal(parsed.gpgsig, PGP);
  assert.deepEqual(verifyCommitSignature({ gpgsig: parsed.gpgsig, payload }, signers), expected);
});

test("allowed-signers options are honoured like git: namespaces, valid-after, valid-before", async () => {
  const sha = signedBy.get(ed25519) ?? "";
  const cases: [string, string | undefined][] = [
    ['namespaces="file"', `signed by ${ed25519.fingerprint} which is not allowed to sign namespace "git"`],
    ['namespaces="*,!git"', `signed by ${ed25519.fingerprint} which is not allowed to sign namespace "git"`],
    ['namespaces="g?t"', undefined],
    [
      'valid-before="20200101Z"',
      `signed by ${ed25519.fingerprint} whose allowed-signers entry is not valid at ${COMMIT_TIME}`,
    ],
    [
      'valid-after="20300101"',
      `signed by ${ed25519.fingerprint} whose allowed-signers entry is not valid at ${COMMIT_TIME}`,
    ],
    ['valid-after="202601010000Z",valid-before="20270101000000Z"', undefined],
  ];
  for (const [options, reason] of cases) {
    const line = `alice@example.test ${options} ${ed25519.pub}\n`;
    const file = join(work, "options_signers");
    writeFileSync(file, line);
    const parsed = parseAllowedSigners(line, "options_signers");
    assert.deepEqual(parsed.errors, [], options);
    const verdict = await verifyCommitAt(gitdir, sha, parsed.signers);
    const expected =
      reason === undefined
        ? { ok: true, fingerprint: ed25519.fingerprint, principals: ["alice@example.test"] }
        : { ok: false, reason };
    assert.deepEqual(verdict, expected, options);
    assert.equal(gitVerifies(sha, file), verdict.ok, `git verify-commit disagrees on ${options}`);
  }
  // A key listed twice: the entry that fits wins, and only its principals are reported.
  const twice = parseAllowedSigners(
    `old@example.test valid-before="20200101Z" ${ed25519.pub}\nalice@example.test ${ed25519.pub}\n`,
    "twice",
  );
  assert.deepEqual(await verifyCommitAt(gitdir, sha, twice.signers), {
    ok: true,
    fingerprint: ed25519.fingerprint,
    principals: ["alice@example.test"],
  });
});

test("git verify-commit accepts exactly the commits we accept", async () => {
  const commits: Record<string, string> = {
    tampered,
    unsigned,
    byStranger,
    fileNamespace,
    gitNamespace256,
    gitNamespace512,
    withOtherHeader,
    rsaSha256,
    rsaSha1,
    pgpSigned,
  };
  for (const key of allKeys) commits[`signedBy:${key.name}`] = signedBy.get(key) ?? "";
  const ours: Record<string, boolean> = {};
  const theirs: Record<string, boolean> = {};
  for (const [name, sha] of Object.entries(commits)) {
    ours[name] = (await verifyCommitAt(gitdir, sha, signers)).ok;
    theirs[name] = gitVerifies(sha);
  }
  assert.deepEqual(ours, theirs);
  const accepted = Object.keys(ours).filter((name) => ours[name] === true);
  assert.deepEqual(accepted.sort(), [
    "gitNamespace256",
    "gitNamespace512",
    "rsaSha256",
    "signedBy:alice",
    "signedBy:bob",
    "signedBy:carol",
    "signedBy:dana",
    "signedBy:erin",
    "withOtherHeader",
  ]);
});

test("malformed signatures are refused with a reason, never thrown", () => {
  const { gpgsig, payload } = signedCommitParts(ed25519Raw);
  const blob = Buffer.from((gpgsig ?? "").replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64");
  const withVersion = (version: number) => Buffer.concat([blob.subarray(0, 6), u32(version), blob.subarray(10)]);
  const cases: [string, string][] = [
    ["", "it does not start with -----BEGIN SSH SIGNATURE-----"],
    ["not a signature", "it does not start with -----BEGIN SSH SIGNATURE-----"],
    ["-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n", "it does not end with -----END SSH SIGNATURE-----"],
    ["-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----", "the armored body is not valid base64"],
    [armor(Buffer.concat([Buffer.from("SSHSIX"), blob.subarray(6)])), "the SSHSIG magic is missing"],
    [armor(withVersion(2)), "version 2 is not supported"],
    [armor(blob.subarray(0, blob.length - 10)), "the signature is truncated"],
    [armor(Buffer.concat([blob, Buffer.from([0])])), "the signature has trailing data"],
    [
      `-----BEGIN SSH SIGNATURE-----\n${"A".repeat(70 * 1000)}\n-----END SSH SIGNATURE-----`,
      "it is larger than 64 KiB",
    ],
  ];
  for (const [signature, why] of cases) {
    const verdict = verifyCommitSignature({ gpgsig: signature, payload }, signers);
    assert.deepEqual(verdict, { ok: false, reason: `malformed SSH signature: ${why}` }, why);
  }
  const notText = verifyCommitSignature({ gpgsig: 42 as unknown as string, payload }, signers);
  assert.deepEqual(notText, { ok: false, reason: "malformed SSH signature: the signature is not text" });

  // Every single-byte corruption of real signatures (a fixed pseudo-random sample) is refused without throwing.
  let seed = 20261125;
  const random = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  for (const key of allKeys) {
    const parts = signedCommitParts(rawCommit(signedBy.get(key) ?? ""));
    const original = Buffer.from((parts.gpgsig ?? "").replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64");
    for (let i = 0; i < 150; i++) {
      const corrupt = Buffer.from(original);
      const at = random(corrupt.length);
      corrupt[at] = (corrupt[at] ?? 0) ^ (1 + random(255));
      const verdict = verifyCommitSignature({ gpgsig: armor(corrupt), payload: parts.payload }, signers);
      assert.equal(verdict.ok, false, `${key.name}: byte ${at} changed yet accepted`);
    }
  }
});

test("verifyCommitAt refuses what is not a readable commit", async () => {
  const missing = await verifyCommitAt(gitdir, "0".repeat(40), signers);
  assert.equal(missing.ok, false);
  assert.match(missing.ok ? "" : missing.reason, /^cannot read commit "0{40}": /);
  const tree = text("git", ["rev-parse", `${unsigned}^{tree}`], { cwd: repo });
  assert.deepEqual(await verifyCommitAt(gitdir, tree, signers), {
    ok: false,
    reason: `"${tree}" is a tree, not a commit`,
  });
});

test("signers are matched on the whole key blob, not the fingerprint text", () => {
  const { gpgsig, payload } = signedCommitParts(ed25519Raw);
  const impostor: AllowedSigner = {
    principals: ["impostor@example.test"],
    keyType: "ssh-ed25519",
    publicKey: stranger.blob,
    fingerprint: ed25519.fingerprint,
    source: { file: "hand-made", line: 1 },
  };
  assert.deepEqual(verifyCommitSignature({ gpgsig, payload }, [impostor]), {
    ok: false,
    reason: `signed by ${ed25519.fingerprint} which is not an allowed signer`,
  });
});
