// The ref advertisement read once per fetch. isomorphic-git's `fetch` asks for the remote's refs (`GET
// info/refs?service=git-upload-pack`, Git's smart HTTP discovery) and then always posts an upload-pack request,
// even when the branch has not moved: two requests, and on the server two `git upload-pack` processes, for a poll
// that finds nothing. The source asks for the advertisement first (`git ls-remote`'s request) and stops there when
// the head is the one it has; when it moved, the fetch is handed the advertisement already read instead of asking
// again (its `http` plugin point), so a new head still costs two requests.
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import http from "isomorphic-git/http/node";

/** Git's smart HTTP discovery for fetching (gitprotocol-http: "Smart Clients"). */
const UPLOAD_PACK_DISCOVERY = /\/info\/refs\?service=git-upload-pack$/;

/** Largest advertisement kept: a branch-per-pool repository has far fewer refs than this allows (~60 bytes each). */
const MAX_ADVERTISEMENT_BYTES = 4 * 1024 * 1024;

interface Recorded {
  url: string;
  response: Omit<GitHttpResponse, "body">;
  body: Uint8Array[];
}

/**
 * An HTTP client that keeps the successful upload-pack discovery it passes on (`recording`) and answers the next
 * identical one from it (`replaying`), once; every other request goes to isomorphic-git's Node client.
 */
export class RefAdvertisement {
  #recorded: Recorded | undefined;

  readonly recording: HttpClient = {
    request: async (request: GitHttpRequest) => {
      const response = await http.request(request);
      if (!isDiscovery(request) || response.statusCode !== 200 || response.body === undefined) return response;
      const body: Uint8Array[] = [];
      let bytes = 0;
      // By hand, not `for await`: leaving that loop early would end the response the fetch still reads.
      const chunks = response.body[Symbol.asyncIterator]();
      for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
        body.push(next.value);
        bytes += next.value.byteLength;
        if (bytes > MAX_ADVERTISEMENT_BYTES) {
          // Not kept (the fetch asks again); what was read is answered on.
          this.#recorded = undefined;
          return { ...response, body: chain(body, chunks) };
        }
      }
      const { body: _, ...rest } = response;
      this.#recorded = { url: request.url, response: rest, body };
      return { ...rest, body: once(body) };
    },
  };

  readonly replaying: HttpClient = {
    request: async (request: GitHttpRequest) => {
      const recorded = this.#recorded;
      if (recorded === undefined || !isDiscovery(request) || request.url !== recorded.url) return http.request(request);
      this.#recorded = undefined;
      return { ...recorded.response, body: once(recorded.body) };
    },
  };
}

function isDiscovery(request: GitHttpRequest): boolean {
  return (request.method ?? "GET") === "GET" && UPLOAD_PACK_DISCOVERY.test(request.url);
}

async function* once(chunks: readonly Uint8Array[]): AsyncIterableIterator<Uint8Array> {
  yield* chunks;
}

async function* chain(read: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncIterableIterator<Uint8Array> {
  yield* read;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}
