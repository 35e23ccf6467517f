import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { serviceUnavailable, type DetailError } from '../errors/api-errors.js';
import { requestTimeout } from '../errors/http-layer-errors.js';

/**
 * What both adapters do to every request the same way: security headers, `no-store` on the API,
 * the request timeout, CORS and the Node server's own timeouts. The adapter files only hook these
 * in (src/common/http/express.ts, fastify.ts).
 */

const API_PATH = /^\/api\/v3(?=[/?#]|$)/i;

/** Whether a request target is under /api/v3, matched as Express mounts a path (any case). */
export const isApiPath = (url: string | undefined) => API_PATH.test(url ?? '');

/**
 * helmet's defaults, less `upgrade-insecure-requests`: the service is often reached over plain
 * HTTP (localhost, a private network), where it would send Swagger UI's own assets to an https://
 * address that does not answer. Swagger UI loads its scripts and stylesheet from the same origin
 * (`script-src 'self'` holds: no inline script) and has inline `<style>` blocks, which helmet's
 * `style-src 'self' https: 'unsafe-inline'` allows.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
});

/** Headers every response carries, whatever answers it: route, 404, error, timeout. */
export function setResponseHeaders(request: IncomingMessage, response: ServerResponse): void {
  securityHeaders(request, response, (error?: unknown) => {
    if (error) throw error;
  });
  // Grants, users and secrets: no shared or browser cache may keep a copy.
  if (isApiPath(request.url)) response.setHeader('Cache-Control', 'no-store');
}

/**
 * Answers a request still unanswered after `timeoutMs`: 408 while its body is still arriving (a
 * slow client), else 503 (a slow server: the contract's "temporarily unavailable"). The handler's
 * own work is not interrupted; its late answer is dropped. The connection is closed after.
 */
export function startRequestTimer(
  request: IncomingMessage,
  response: ServerResponse,
  timeoutMs: number,
  answer: (error: DetailError) => void,
): void {
  const timer = setTimeout(() => {
    if (response.headersSent) return;
    response.setHeader('Connection', 'close');
    answer(request.complete ? serviceUnavailable() : requestTimeout());
  }, timeoutMs);
  timer.unref();
  response.once('close', () => clearTimeout(timer));
}

/**
 * The Node server's own limits, below the application: headers that trickle in (slowloris) and
 * bodies that never finish are cut off with a 408 (see answerClientError). Node checks them
 * periodically (every 30 s by default): often enough here that the limits mean what they say.
 */
export function limitServerTimes(
  server: Server & { connectionsCheckingInterval?: number },
  timeoutMs: number,
): void {
  server.headersTimeout = Math.min(timeoutMs, 60_000);
  // A backstop only: the request timer answers a slow body first, with a JSON 408.
  server.requestTimeout = timeoutMs + 1_000;
  // Read when the server starts listening.
  server.connectionsCheckingInterval = Math.max(50, Math.min(1_000, timeoutMs / 4));
}

/**
 * CORS for the configured origins only (none: CORS off, no Access-Control-* header at all). No
 * credentials: API tokens travel in the Authorization header, never in cookies.
 */
export function corsOptions(origins: string[]) {
  if (origins.length === 0) return undefined;
  return {
    origin: origins.length === 1 && origins[0] === '*' ? '*' : origins,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    // What a browser client may read besides the safelisted headers: the request id, and the
    // rate limits (README "Rate limiting").
    exposedHeaders: [
      'X-Request-Id',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
    ],
    maxAge: 600,
    optionsSuccessStatus: 204,
  };
}
