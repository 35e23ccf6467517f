/**
 * EXPLAIN (ANALYZE, BUFFERS) of the hot list queries — the count and the page of the default list,
 * the `user` filter and `search` — as the floor sends them (bench/floor-sql.mjs mirrors the
 * service's statements). Each runs once untimed first, so the plans show a warm cache.
 */
import { GRANT_KINDS, counterCountQuery, countQuery, pageQuery } from './floor-sql.mjs';
import { withClient } from './postgres.mjs';

const DEFAULT_TERMS = [
  { expression: 'g.provider_id', descending: false },
  { expression: 'g.expires', descending: false },
  { expression: 'g.id', descending: false },
];
const PAGE_SIZE = 20;

function hotQueries(parameters, hasCounters) {
  const kind = GRANT_KINDS.authorization_codes;
  const all = { objectPks: [] };
  const byUser = { objectPks: [], user: String(parameters.userId) };
  const bySearch = { objectPks: [], search: parameters.searchFragment };
  return [
    {
      title: 'default list: count',
      query: hasCounters ? counterCountQuery(kind) : countQuery(kind, all),
    },
    { title: 'default list: page 1', query: pageQuery(kind, all, DEFAULT_TERMS, 0, PAGE_SIZE) },
    { title: '`user` filter: count', query: countQuery(kind, byUser) },
    {
      title: '`user` filter: page 1',
      query: pageQuery(kind, byUser, DEFAULT_TERMS, 0, PAGE_SIZE),
    },
    { title: '`search`: count', query: countQuery(kind, bySearch) },
    { title: '`search`: page 1', query: pageQuery(kind, bySearch, DEFAULT_TERMS, 0, PAGE_SIZE) },
  ];
}

/** [{ title, sql, values, plan }] for the dataset. */
export async function explainHotQueries(dataset) {
  return withClient(dataset.url, async (client) => {
    const { rows } = await client.query(
      `SELECT to_regclass('grant_counts') IS NOT NULL AS has_counters`,
    );
    const plans = [];
    for (const { title, query } of hotQueries(dataset.parameters, rows[0].has_counters)) {
      await client.query(query);
      const explained = await client.query({
        text: `EXPLAIN (ANALYZE, BUFFERS) ${query.text}`,
        values: query.values,
      });
      const plan = explained.rows.map((row) => row['QUERY PLAN']).join('\n');
      plans.push({ title, sql: query.text, values: query.values, plan });
    }
    return plans;
  });
}
