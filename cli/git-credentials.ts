// The credentials for a Git remote, from the command line or the environment. Secrets are only ever read from files
// or environment variables, never from arguments (those show up in `ps` and shell history), and no error message
// quotes them. Shared by the commands that talk to a remote (`history`, `sync`).
import { readFileSync } from "node:fs";
import { Option } from "commander";
import type { SourceCredentials } from "../gitops/index.ts";
import { InputError } from "./input-files.ts";

export interface GitCredentialOptions {
  tokenFile?: string;
  username?: string;
  passwordFile?: string;
}

export const GIT_TOKEN_ENV = "POOLKEEPER_GIT_TOKEN";
export const GIT_USERNAME_ENV = "POOLKEEPER_GIT_USERNAME";
export const GIT_PASSWORD_ENV = "POOLKEEPER_GIT_PASSWORD";

/** The command-line options `readGitCredentials` reads; new instances on each call, as commander needs. */
export function gitCredentialOptions(): Option[] {
  return [
    new Option("--token-file <file>", `file holding a token for the Git remote (or set ${GIT_TOKEN_ENV})`),
    new Option(
      "--username <name>",
      `user name for the Git remote, with --password-file (or set ${GIT_USERNAME_ENV} and ${GIT_PASSWORD_ENV})`,
    ),
    new Option("--password-file <file>", "file holding the password for --username"),
  ];
}

/**
 * The first source given, in this order: --token-file; --username with --password-file; $POOLKEEPER_GIT_TOKEN;
 * $POOLKEEPER_GIT_USERNAME with $POOLKEEPER_GIT_PASSWORD. Undefined when none is (anonymous access). A file's
 * trailing line break is dropped. Throws InputError for an unreadable or empty file or an incomplete pair.
 */
export function readGitCredentials(
  options: GitCredentialOptions,
  env: NodeJS.ProcessEnv = process.env,
): SourceCredentials | undefined {
  const { tokenFile, username, passwordFile } = options;
  if (tokenFile !== undefined && (username !== undefined || passwordFile !== undefined)) {
    throw new InputError("--token-file and --username/--password-file are alternatives: give one of them");
  }
  if (tokenFile !== undefined) return { token: readSecretFile("--token-file", tokenFile) };
  if (passwordFile !== undefined && username === undefined) {
    throw new InputError("--password-file needs --username");
  }
  if (username !== undefined) {
    if (username === "") throw new InputError("--username is empty");
    checkUserName("--username", username);
    if (passwordFile === undefined) {
      throw new InputError("--username needs --password-file (a password is never taken on the command line)");
    }
    return { username, password: readSecretFile("--password-file", passwordFile) };
  }

  const token = nonEmpty(env[GIT_TOKEN_ENV]);
  if (token !== undefined) return { token };
  const envUser = nonEmpty(env[GIT_USERNAME_ENV]);
  const envPassword = nonEmpty(env[GIT_PASSWORD_ENV]);
  if (envUser !== undefined && envPassword === undefined) {
    throw new InputError(`${GIT_USERNAME_ENV} is set but ${GIT_PASSWORD_ENV} is not`);
  }
  if (envPassword !== undefined && envUser === undefined) {
    throw new InputError(`${GIT_PASSWORD_ENV} is set but ${GIT_USERNAME_ENV} is not`);
  }
  if (envUser !== undefined && envPassword !== undefined) {
    checkUserName(GIT_USERNAME_ENV, envUser);
    return { username: envUser, password: envPassword };
  }
  return undefined;
}

// HTTP Basic sends `user:password` in one header (RFC 7617 §2): a colon would move the password's start, a line
// break would end the header.
function checkUserName(option: string, name: string): void {
  if (/[:\p{Cc}]/u.test(name)) {
    throw new InputError(`${option} must not contain a colon or control characters (HTTP Basic authentication)`);
  }
}

// An empty variable counts as unset, as shells and Kubernetes leave them so.
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** A secret kept in a file: one line, trailing line breaks dropped; errors name the option, never the secret. */
export function readSecretFile(option: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : `cannot be read (${typeof code === "string" ? code : "unknown error"})`;
    throw new InputError(`${option} ${file}: ${why}`);
  }
  // Only line breaks: a password may end in a space.
  const secret = text.replace(/(\r?\n)+$/, "");
  if (secret === "") throw new InputError(`${option} ${file}: the file is empty`);
  // A second line is a mistake (and would break the HTTP header); the message must not show either line.
  if (/[\r\n]/.test(secret)) throw new InputError(`${option} ${file}: the file holds more than one line`);
  return secret;
}
