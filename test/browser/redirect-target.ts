/**
 * A stand-in for the client application behind a redirect_uri: a local HTTP server that records
 * every request's URL and answers "ok", so a test can see where the browser was sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RedirectTarget {
  /** The redirect_uri to register: http://127.0.0.1:<port>/callback */
  redirectUri: string;
  /** The absolute URLs of the requests received so far, in order. */
  received: URL[];
  /** The URL of the next request to arrive (call it before the action that sends it). */
  nextRequest(): Promise<URL>;
  close(): Promise<void>;
}

export async function startRedirectTarget(): Promise<RedirectTarget> {
  const received: URL[] = [];
  let waiting: ((url: URL) => void)[] = [];
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    received.push(url);
    for (const resolve of waiting) resolve(url);
    waiting = [];
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    redirectUri: `${origin}/callback`,
    received,
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
