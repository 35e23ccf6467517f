import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { noMatch } from '../errors/api-errors.js';

/**
 * Deletes row `id` of `table`, found visible a statement earlier. If it is gone by now, a
 * concurrent request deleted it: the same 404 as for a row never seen.
 */
export async function deleteRowById(
  dataSource: DataSource,
  table: EntityTarget<ObjectLiteral>,
  id: string | number,
  modelName: string,
): Promise<void> {
  const result = await dataSource
    .createQueryBuilder()
    .delete()
    .from(table)
    .where('id = :id', { id })
    .execute();
  if (!result.affected) throw noMatch(modelName);
}
