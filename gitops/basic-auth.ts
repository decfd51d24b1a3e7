// The HTTP Basic credentials poolkeeper hands a Git remote (RFC 7617 §2: `Basic base64(user-id ":" password)`),
// built in one place so that the header sent and the forms scrubbed from every message are the same strings. A
// token is sent as the password of `x-access-token`, GitHub's convention (GitLab and Gitea accept any user name).
import type { SourceCredentials } from "./source.ts";

export const TOKEN_USER = "x-access-token";

export interface BasicLogin {
  username: string;
  password: string;
  /** The Authorization header's value, as sent. */
  authorization: string;
}

export function basicLogin(credentials: SourceCredentials): BasicLogin {
  const [username, password] =
    "token" in credentials ? [TOKEN_USER, credentials.token] : [credentials.username, credentials.password];
  return { username, password, authorization: `Basic ${base64(`${username}:${password}`)}` };
}

/** The UTF-8 bytes of `text` in base64, as RFC 7617 encodes the user-pass (and isomorphic-git does). */
export function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
