import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isApiPath, setResponseHeaders } from '../http/http-hardening.js';
import { notFound, serverError } from './api-errors.js';
import { malformedPath } from './http-layer-errors.js';

/** The first path segment that is not valid percent-encoding. */
function undecodableSegment(url: string): string {
  const path = url.split(/[?#]/, 1)[0]!;
  for (const segment of path.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return path;
}

/**
 * Fastify's router answers a few requests itself, before any hook runs: a path with broken
 * percent-encoding, an over-long path parameter. Answered as on Express: under /api/v3 a broken
 * path is a 400 naming the segment (Express fails to decode the parameter of the route that
 * matched, at worst Nest's catch-all one); elsewhere no route matches it, 404.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const url = request.raw.url ?? '/';
  reply.raw.setHeader('X-Request-Id', request.id);
  setResponseHeaders(request.raw, reply.raw);
  const answer =
    error.code === 'FST_ERR_BAD_URL'
      ? isApiPath(url)
        ? malformedPath(undecodableSegment(url))
        : notFound()
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? notFound()
        : serverError();
  void reply.code(answer.status).send(answer.body());
}
