import type { EntityManager } from 'typeorm';

/*
 * Each given group with all its ancestors (via parent; UNION stops on cycles), and whether any of
 * them is a superuser group. Groups that do not exist have no row.
 */
const ANCESTRY_SQL = `
WITH RECURSIVE ancestry AS (
  SELECT g.id AS origin, g.id, g.parent_id, g.is_superuser
  FROM groups g WHERE g.id = ANY($1::uuid[])
  UNION
  SELECT a.origin, p.id, p.parent_id, p.is_superuser
  FROM ancestry a JOIN groups p ON p.id = a.parent_id
)
SELECT origin::text AS id, array_agg(id::text) AS ancestors, bool_or(is_superuser) AS superuser
FROM ancestry GROUP BY origin`;

export interface Ancestry {
  /** The group itself and every ancestor. */
  ancestors: Set<string>;
  /** The group or an ancestor is a superuser group: its members are superusers. */
  confersSuperuser: boolean;
}

/** Ancestry of existing groups, by id (lower-case uuid); absent keys name no group. */
export async function ancestryOf(
  manager: EntityManager,
  groupIds: readonly string[],
): Promise<Map<string, Ancestry>> {
  const result = new Map<string, Ancestry>();
  if (groupIds.length === 0) return result;
  const rows: { id: string; ancestors: string[]; superuser: boolean }[] = await manager.query(
    ANCESTRY_SQL,
    [[...new Set(groupIds)]],
  );
  for (const row of rows) {
    result.set(row.id, { ancestors: new Set(row.ancestors), confersSuperuser: row.superuser });
  }
  return result;
}

/** Serialises changes of `parent`, so that two concurrent moves cannot close a cycle. */
export async function lockHierarchy(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('grants-api:group-hierarchy'))`);
}
