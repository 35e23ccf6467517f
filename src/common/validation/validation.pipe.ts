import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import {
  getMetadataStorage,
  validate,
  type ValidationError as ClassValidatorError,
} from 'class-validator';
import { DataSource } from 'typeorm';
import { notFound, ValidationError } from '../errors/api-errors.js';
import { pythonTypeName } from './messages.js';
import { referencesOf } from './query-rules.js';
import { checkReferences, inDeclaredOrder } from './references.js';

type Query = Record<string, string>;

/** Express gives repeated keys as arrays: the last value wins; empty values are absent. */
function normalise(raw: unknown): Query {
  const query: Query = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (typeof last === 'string') query[key] = last;
  }
  return query;
}

/** Per parameter type, whether it declares constraints (class-validator scans all it knows). */
const constrained = new WeakMap<object, boolean>();

function hasConstraints(type: unknown): type is new () => object {
  if (typeof type !== 'function') return false;
  let known = constrained.get(type);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0;
    constrained.set(type, known);
  }
  return known;
}

/**
 * Validates query and body DTOs (class-validator) into DRF's 400 bodies: field errors first
 * (`{"user": [...], "provider": [...]}` in declaration order), then list errors (a bare array).
 * Query filters that name rows are checked against the database in one query (deferred ones by
 * the service, see `References`). Properties a DTO
 * does not declare are dropped, so read-only fields can never be written.
 */
@Injectable()
export class ValidationPipe implements PipeTransform {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // No stored key contains a NUL character (PostgreSQL text cannot): such a path names nothing.
    if (metadata.type === 'param' && typeof value === 'string' && value.includes('\0')) {
      throw notFound();
    }
    if (!hasConstraints(metadata.metatype)) return value;
    if (metadata.type === 'query') return this.validateQuery(metadata.metatype, value);
    if (metadata.type === 'body') return this.validateBody(metadata.metatype, value);
    return value;
  }

  private async validateBody(type: new () => object, value: unknown): Promise<object> {
    // DRF reads a request without a body as `{}`: authentik's client sends none for an empty PATCH.
    const body = value === undefined ? {} : value;
    // DRF's answer to a JSON `null`, rather than "got NoneType".
    if (body === null) throw new ValidationError({ non_field_errors: ['No data provided'] });
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new ValidationError({
        non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(body)}.`],
      });
    }
    const dto = plainToInstance(type, body);
    const errors = await validate(dto, {
      whitelist: true,
      forbidUnknownValues: false,
      stopAtFirstError: true,
    });
    const fieldErrors: Record<string, string[]> = {};
    const listErrors: string[] = [];
    for (const error of errors) this.collect(error, fieldErrors, listErrors);
    if (listErrors.length > 0) (fieldErrors.non_field_errors ??= []).push(...listErrors);
    if (Object.keys(fieldErrors).length > 0)
      throw new ValidationError(inDeclaredOrder(type, fieldErrors));
    return dto;
  }

  private async validateQuery(type: new () => object, value: unknown): Promise<object> {
    const query = normalise(value);
    const dto = plainToInstance(type, query);
    const errors = await validate(dto, { whitelist: true, forbidUnknownValues: false });

    const fieldErrors: Record<string, string[]> = {};
    const listErrors: string[] = [];
    for (const error of errors) this.collect(error, fieldErrors, listErrors);
    // Deferred references are the service's to confirm, unless the request fails anyway: then
    // one 400 names every bad field.
    const hasErrors = Object.keys(fieldErrors).length > 0 || listErrors.length > 0;
    const references = referencesOf(type).filter((ref) => hasErrors || !ref.deferred);
    await checkReferences(this.dataSource, references, query, fieldErrors);

    if (Object.keys(fieldErrors).length > 0)
      throw new ValidationError(inDeclaredOrder(type, fieldErrors));
    if (listErrors.length > 0) throw new ValidationError(listErrors);
    return dto;
  }

  private collect(error: ClassValidatorError, fields: Record<string, string[]>, list: string[]) {
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      if (error.contexts?.[constraint]?.listError) list.push(message);
      else (fields[error.property] ??= []).push(message);
    }
  }
}
