import { getMetadataStorage } from 'class-validator';
import type { DataSource } from 'typeorm';
import { ValidationError } from '../errors/api-errors.js';
import { INVALID_CHOICE, referencesOf, type Reference } from './query-rules.js';

/** Field errors in the order `type` declares its properties (DRF's order). */
export function inDeclaredOrder(
  type: new () => object,
  fields: Record<string, string[]>,
): Record<string, string[]> {
  const declared = getMetadataStorage()
    .getTargetValidationMetadatas(type, '', true, false)
    .map((m) => m.propertyName);
  const order = [...new Set(declared)];
  return Object.fromEntries(
    Object.entries(fields).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)),
  );
}

/**
 * Adds "Select a valid choice" to `fields` for every reference in `references` whose value names
 * no row: one query, whatever the number of references.
 */
export async function checkReferences(
  dataSource: DataSource,
  references: Reference[],
  values: Record<string, unknown>,
  fields: Record<string, string[]>,
): Promise<void> {
  const pending = references.filter((ref) => !!values[ref.property] && !fields[ref.property]);
  if (pending.length === 0) return;
  const checks = pending.map(
    (ref, i) =>
      `EXISTS (SELECT 1 FROM "${ref.table}" WHERE "${ref.column}" = $${i + 1}::bigint) AS "${ref.property}"`,
  );
  const [row] = await dataSource.query(
    `SELECT ${checks.join(', ')}`,
    pending.map((ref) => values[ref.property]),
  );
  for (const ref of pending) if (!row[ref.property]) fields[ref.property] = [INVALID_CHOICE];
}

/**
 * The existence check of a query DTO's deferred references (`@References(table, {deferred})`),
 * for a service whose result came back empty: throws the pipe's 400 when one names no row.
 */
export async function confirmReferences(dataSource: DataSource, query: object): Promise<void> {
  const type = query.constructor as new () => object;
  const deferred = referencesOf(type).filter((ref) => ref.deferred);
  const fields: Record<string, string[]> = {};
  await checkReferences(dataSource, deferred, query as Record<string, unknown>, fields);
  if (Object.keys(fields).length > 0) throw new ValidationError(inDeclaredOrder(type, fields));
}
