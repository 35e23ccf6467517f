import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { Messages } from '../validation/messages.js';
import { ApiError, serverError, serviceUnavailable, ValidationError } from './api-errors.js';
import { fromHttpLayer } from './http-layer-errors.js';

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled: DATABASE_STATEMENT_TIMEOUT_MS
  '53300', // too_many_connections
]);

/**
 * pg's own failures carry no code: the pool's wait for a connection, a connection that died or
 * was dropped (src/database/abandoning-client.ts), a pool closed by the shutdown.
 */
const CONNECTION_ERROR_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|is not queryable|Cannot use a pool after calling end/i;

/**
 * TypeORM releases a query runner whose connection died, between two statements of a transaction
 * say; the transaction's next statement then fails with one of these, not with the driver's error.
 */
const RELEASED_RUNNER_ERRORS = [
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
];

/** Errors that mean the database is unreachable or gave up: answered 503. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) {
    return true; // class 08: connection exception
  }
  if (RELEASED_RUNNER_ERRORS.some((type) => error instanceof type)) return true;
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_ERROR_MESSAGES.test(message);
}

/** Model names in unique-violation messages, by table (Django's capitalised verbose names). */
const MODEL_NAMES: Record<string, string> = {
  users: 'User',
  groups: 'Group',
  roles: 'Role',
  role_permissions: 'Permission',
  applications: 'Application',
  oauth2_providers: 'OAuth2/OpenID Provider',
  tokens: 'Token',
};

interface PgError {
  code?: string;
  table?: string;
  column?: string;
  detail?: string;
}

/** Data errors PostgreSQL reports for values validation should have caught: still the client's. */
const DATA_ERRORS: Record<string, string> = {
  '22001': 'Ensure this value is not too long.',
  '22003': 'Ensure this value is within range.',
  '22021': 'Null characters are not allowed.',
  '22P02': 'Invalid value.',
  '22007': 'Invalid date.',
  '22008': 'Invalid date.',
};

/** `Key (column)=(value) ...` of PostgreSQL's constraint messages. */
function keyOf(detail: string | undefined): { column: string; value: string } | undefined {
  const match = /^Key \(([^)]+)\)=\((.*)\) /.exec(detail ?? '');
  return match ? { column: match[1]!, value: match[2]! } : undefined;
}

/** The column a wire field is stored in: `parent_id` is written as `parent`. */
const fieldOf = (column: string) => column.replace(/_id$/, '');

/**
 * Constraint violations a write can hit despite validation (a concurrent insert of the same name,
 * a row deleted meanwhile) are the client's 400s, not server errors.
 */
function fromConstraintViolation(error: PgError): ApiError | undefined {
  const key = keyOf(error.detail);
  if (error.code === '23505' && key && !key.column.includes(',')) {
    const model = MODEL_NAMES[error.table ?? ''] ?? 'Object';
    const field = fieldOf(key.column);
    return new ValidationError({ [field]: [Messages.unique(model, field.replaceAll('_', ' '))] });
  }
  if (error.code === '23505') {
    return new ValidationError({ non_field_errors: ['The fields must make a unique set.'] });
  }
  if (error.code === '23503' && key) {
    return new ValidationError({ [fieldOf(key.column)]: [Messages.doesNotExist(key.value)] });
  }
  if (error.code === '23503') {
    return new ValidationError({ non_field_errors: ['The object is still referenced.'] });
  }
  if (error.code === '23502' && error.column) {
    return new ValidationError({ [fieldOf(error.column)]: [Messages.null] });
  }
  const message = DATA_ERRORS[error.code ?? ''];
  if (message) return new ValidationError({ non_field_errors: [message] });
  return undefined;
}

/** Framework exceptions (unknown route, body too large, ...) mapped onto the contract's bodies. */
function fromHttpException(exception: HttpException): ApiError {
  const response = exception.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? String((response as { message: unknown }).message)
      : exception.message;
  return fromHttpLayer(exception.getStatus(), message);
}

/** The late answer of a handler whose request was answered already (the request timeout). */
const isAnsweredTwice = (exception: unknown) =>
  (exception as { code?: unknown } | null)?.code === 'ERR_HTTP_HEADERS_SENT';

/** Renders every error as the contract's body; never a stack trace, SQL or secret. */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorsFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    // Express and Fastify alike (src/common/http).
    const http = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    if (isAnsweredTwice(exception) && http.isHeadersSent(response)) return;
    const error = this.toApiError(exception);
    if (http.isHeadersSent(response)) return;
    http.reply(response, error.body(), error.status);
  }

  private toApiError(exception: unknown): ApiError {
    if (exception instanceof ApiError) return exception;
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (exception instanceof QueryFailedError) {
      const violation = fromConstraintViolation(exception.driverError as PgError);
      if (violation) return violation;
    }
    if (isDatabaseUnavailable(exception)) {
      // The driver's message and code only: no SQL, parameters or connection string.
      const { code, message } = exception as { code?: unknown; message?: unknown };
      this.logger.warn(`database unavailable: ${String(message)} (${String(code ?? 'no code')})`);
      return serviceUnavailable();
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return serverError();
  }
}
