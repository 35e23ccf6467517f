import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { DetailError, notFound, serverError, serviceUnavailable } from './api-errors.js';

/**
 * The errors the HTTP layer raises around the handlers (routing, body reading, timeouts, broken
 * requests), as the contract's bodies. Both adapters build their answers here, so that Express
 * and Fastify say the same thing.
 */
export const payloadTooLarge = () => new DetailError(413, 'Request body is too large.');
export const requestTimeout = () => new DetailError(408, 'The request was not received in time.');
export const malformedPath = (segment: string) =>
  new DetailError(400, `Failed to decode param '${segment}'`);

/** An error with an HTTP status raised before or around a handler (e.g. by a body parser). */
export function fromHttpLayer(status: number, message: string): DetailError {
  if (status === 404) return notFound();
  if (status === 408) return requestTimeout();
  if (status === 413) return payloadTooLarge();
  if (status === 503) return serviceUnavailable();
  if (status >= 400 && status < 500) return new DetailError(status, message);
  return serverError();
}

/** The status an error raised by Express middleware or Fastify carries, if any. */
export function statusOf(error: unknown): number | undefined {
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const value = typeof statusCode === 'number' ? statusCode : status;
  return typeof value === 'number' && value >= 400 && value < 600 ? value : undefined;
}

const CLIENT_ERRORS: Record<string, () => DetailError> = {
  ERR_HTTP_REQUEST_TIMEOUT: requestTimeout,
  HPE_HEADER_OVERFLOW: () => new DetailError(431, 'Request header fields are too large.'),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: payloadTooLarge,
};

/**
 * Node's `clientError`: a request that could not be parsed, or whose headers (or body) did not
 * arrive in time (slowloris). Answered as Node itself would, but with a contract body, then the
 * connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already on its way must not be followed by a second one (Node's rule too).
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const answer = CLIENT_ERRORS[error.code ?? '']?.() ?? new DetailError(400, 'Bad request.');
    const body = JSON.stringify(answer.body());
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
