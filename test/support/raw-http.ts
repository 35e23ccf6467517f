/**
 * Requests whose bytes the test controls: the path and query string go on the request line exactly
 * as given (no client-side normalisation or re-encoding, unlike supertest's URL handling).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestApp } from './app.js';

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export interface RawClient {
  request(method: string, path: string, auth?: string, body?: unknown): Promise<RawResponse>;
  close(): void;
}

/** Listens on a free local port (once) and returns a keep-alive client for raw requests. */
export async function rawClient(t: TestApp): Promise<RawClient> {
  const server = t.app.getHttpServer() as http.Server;
  if (!server.listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  return {
    request: (method, path, auth, body) =>
      new Promise<RawResponse>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            agent,
            headers: {
              ...(auth ? { Authorization: auth } : {}),
              ...(payload ? { 'Content-Type': 'application/json' } : {}),
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', reject);
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown;
              try {
                parsed = text === '' ? undefined : JSON.parse(text);
              } catch {
                parsed = undefined;
              }
              resolve({
                status: response.statusCode ?? 0,
                contentType: String(response.headers['content-type'] ?? ''),
                text,
                body: parsed,
              });
            });
          },
        );
        request.on('error', reject);
        request.end(payload);
      }),
    close: () => agent.destroy(),
  };
}
