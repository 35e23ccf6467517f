/**
 * Errors the services throw. Each carries the contract's status and body; the one exception
 * filter (errors.filter.ts) renders them, so no service or guard builds a response by hand.
 */
export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract body(): unknown;
}

export class DetailError extends ApiError {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
  body() {
    return { detail: this.detail };
  }
}

export const notAuthenticated = () =>
  new DetailError(403, 'Authentication credentials were not provided.');
export const tokenInvalid = () => new DetailError(403, 'Token invalid/expired');
export const permissionDenied = () =>
  new DetailError(403, 'You do not have permission to perform this action.');
export const notFound = () => new DetailError(404, 'Not found.');
export const noMatch = (model: string) =>
  new DetailError(404, `No ${model} matches the given query.`);
export const invalidPage = () => new DetailError(404, 'Invalid page.');
export const methodNotAllowed = (method: string) =>
  new DetailError(405, `Method "${method}" not allowed.`);
export const serverError = () => new DetailError(500, 'A server error occurred.');
export const serviceUnavailable = () => new DetailError(503, 'Service temporarily unavailable.');

/** A 400 in DRF's shapes: `{"field": ["message"]}` or, for a list error, a bare array. */
export class ValidationError extends ApiError {
  readonly status = 400;
  constructor(private readonly errors: Record<string, string[]> | string[]) {
    super('Validation failed');
  }
  body() {
    return this.errors;
  }
}
