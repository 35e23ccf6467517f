import type { Pool } from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';

/**
 * Runs one statement on the DataSource's own pg pool, skipping TypeORM's per-statement query
 * runner (a connection checkout, event broadcasts and result wrapping around every statement):
 * for the statements every request runs (authentication, grant lists and rows). The statement
 * still reaches the DataSource's logger as TypeORM's own would (which logs it if its `logging`
 * option says so; the tests count statements with it), and a failure is the QueryFailedError
 * TypeORM would throw, so the error filter answers it as any other (503 for an unreachable
 * database, the contract's 400s for bad data).
 */
export async function queryRows<T>(
  dataSource: DataSource,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  dataSource.logger.logQuery(text, values);
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  try {
    const result = await pool.query(text, values);
    return result.rows as T[];
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}
