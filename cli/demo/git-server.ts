// A local Git host: the real smart-HTTP server, `git http-backend` (shipped with the `git` package), behind a small
// HTTP → CGI bridge on 127.0.0.1 (as git's own http-backend documentation wires it under a web server). `poolkeeper
// demo` serves its pool repository with it, and the tests use the same server (test/support/git-server.ts), with
// the failures they need on demand (down, credentials echoed). It listens through runtime/'s createServing, with
// timeouts long enough for a large push.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { createServing, silentLogger, type Logger, type ServingTimeouts } from "../../runtime/index.ts";

export interface GitServerAuth {
  username: string;
  password: string;
}

export interface GitServerOptions {
  /** Directory holding the bare repositories; a temp dir (removed on stop) when omitted. */
  root?: string;
  /** When set, every request must carry these Basic credentials (401 otherwise). */
  auth?: GitServerAuth;
  /** Where the listener logs its refusals; silent by default. */
  logger?: Logger;
}

// A push of a large repository is one request: its reading is bounded by minutes, not the webhook's seconds.
const TIMEOUTS: ServingTimeouts = {
  headersMs: 30_000,
  requestMs: 10 * 60_000,
  keepAliveMs: 5_000,
  handshakeMs: 10_000,
  shutdownMs: 1_000,
  checkIntervalMs: 1_000,
};

export interface GitServer {
  /** `http://127.0.0.1:<port>/<repo>`, with `credentials` embedded in the URL when given. */
  url(repo: string, credentials?: GitServerAuth): string;
  readonly root: string;
  /** Creates `<root>/<name>` as a bare repo with pushes over HTTP enabled; returns its path. */
  createBareRepo(name: string, options?: { initialBranch?: string }): string;
  stop(): Promise<void>;
  /** Number of HTTP requests received (including rejected ones). */
  readonly requests: number;
  /** Simulates the server being unavailable: every request answers 503 while down. */
  setDown(down: boolean): void;
  /**
   * Simulates a server (or a proxy before it) that quotes the request's Authorization header in its errors: while
   * set, a request without one is challenged (401) and a request with one answers `status` with the header in the
   * reason phrase and, after `offset` filler characters, in a text body.
   */
  setEchoAuthorization(echo: AuthorizationEcho | undefined): void;
}

export interface AuthorizationEcho {
  status: number;
  /** Filler before the header in the body (clients cut long bodies short in their messages). */
  offset?: number;
}

const HTTP_BACKEND = join(execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(), "git-http-backend");

function checkAuth(req: IncomingMessage, auth: GitServerAuth): boolean {
  const header = req.headers.authorization ?? "";
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  return decoded.slice(0, colon) === auth.username && decoded.slice(colon + 1) === auth.password;
}

/** Finds the end of the CGI header block; returns [headerEnd, bodyStart] or undefined. */
function headerBoundary(buf: Buffer): [number, number] | undefined {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return [crlf, crlf + 4];
  if (lf >= 0) return [lf, lf + 2];
  return undefined;
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const ownsRoot = options.root === undefined;
  const root = resolve(options.root ?? mkdtempSync(join(tmpdir(), "poolkeeper-git-server-")));
  mkdirSync(root, { recursive: true });
  const auth = options.auth;
  const children = new Set<ChildProcess>();
  let requests = 0;
  let down = false;
  let echo: AuthorizationEcho | undefined;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    requests++;
    if (down) {
      req.resume();
      res.writeHead(503, { "Content-Type": "text/plain" }).end("service unavailable\n");
      return;
    }
    if (echo) {
      req.resume();
      const sent = req.headers.authorization;
      if (sent === undefined) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" }).end();
      } else {
        res
          .writeHead(echo.status, `Bad credentials: Authorization: ${sent}`, { "Content-Type": "text/plain" })
          .end(`${"-".repeat(echo.offset ?? 0)}Authorization: ${sent}\n`);
      }
      return;
    }
    if (auth && !checkAuth(req, auth)) {
      req.resume();
      res
        .writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" })
        .end("unauthorized\n");
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_HTTP_MAX_REQUEST_BUFFER: "100M",
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ""),
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    };
    if (req.headers["content-type"]) env.CONTENT_TYPE = req.headers["content-type"];
    if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
    if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
    const protocol = req.headers["git-protocol"];
    if (typeof protocol === "string") env.HTTP_GIT_PROTOCOL = protocol;
    if (auth) {
      env.REMOTE_USER = auth.username;
      env.AUTH_TYPE = "Basic";
    }

    const child = spawn(HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on("error", () => {}); // backend may exit before reading the whole body
    req.pipe(child.stdin);

    let head: Buffer = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const boundary = headerBoundary(head);
      if (!boundary) return;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, boundary[0]).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      headersSent = true;
      const rest = head.subarray(boundary[1]);
      if (rest.length > 0) res.write(rest);
    });
    child.on("error", (error) => {
      children.delete(child);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`git http-backend failed: ${error.message}\n`);
    });
    child.on("close", (code) => {
      children.delete(child);
      if (!headersSent && !res.headersSent) {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`git http-backend exited ${code}: ${Buffer.concat(stderr).toString("utf8")}`);
        return;
      }
      res.end();
    });
    res.on("close", () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    });
  };

  const serving = createServing({
    handler: handle,
    timeouts: TIMEOUTS,
    // A clone asks for several packs at once, and a test may push to many repositories together.
    limits: { maxConnections: 256, maxInFlight: 64 },
    logger: options.logger ?? silentLogger(),
  });
  const { port } = await serving.listen(0, "127.0.0.1");

  return {
    root,
    get requests() {
      return requests;
    },
    url(repo, credentials) {
      const userinfo = credentials
        ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@`
        : "";
      return `http://${userinfo}127.0.0.1:${port}/${repo.replace(/^\/+/, "")}`;
    },
    createBareRepo(name, repoOptions = {}) {
      const path = resolve(root, name);
      if (!path.startsWith(root + sep)) throw new Error(`repo name escapes the server root: ${name}`);
      const git = (...args: string[]) => execFileSync("git", args, { stdio: "pipe" });
      git("init", "--quiet", "--bare", `--initial-branch=${repoOptions.initialBranch ?? "main"}`, path);
      git("-C", path, "config", "http.receivepack", "true");
      return path;
    },
    setDown(value) {
      down = value;
    },
    setEchoAuthorization(value) {
      echo = value;
    },
    async stop() {
      for (const child of children) child.kill("SIGKILL");
      serving.closeAllConnections();
      await serving.close();
      if (ownsRoot) rmSync(root, { recursive: true, force: true });
    },
  };
}
