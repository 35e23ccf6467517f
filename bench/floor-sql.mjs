/**
 * The floor's hand-written SQL, shared with the plans report (bench/plans.mjs). It follows the
 * service's query design (src/grants/grants.service.ts: trigger-kept counts, deferred join, search
 * through indexed id sets) so that service / floor measures the framework, not a different plan.
 * When the service's queries change, change these with them.
 */

/** The grant resources the floor serves, as their GrantKinds (src/authorization-codes, src/refresh-tokens). */
export const GRANT_KINDS = {
  authorization_codes: {
    table: 'authorization_codes',
    modelName: 'AuthorizationCode',
    viewPermission: 'authentik_providers_oauth2.view_authorizationcode',
    issuedToken: false,
  },
  refresh_tokens: {
    table: 'refresh_tokens',
    modelName: 'RefreshToken',
    viewPermission: 'authentik_providers_oauth2.view_refreshtoken',
    issuedToken: true,
  },
};

/** The caller of an API key: src/common/auth/principal.service.ts, verbatim. */
export const PRINCIPAL_SQL = `
WITH RECURSIVE caller AS (
  SELECT u.id, u.username
  FROM tokens t JOIN users u ON u.id = t.user_id
  WHERE t.key_digest = $1 AND t.intent = 'api' AND u.is_active
    AND (NOT t.expiring OR t.expires IS NULL OR t.expires > now())
), ancestry AS (
  SELECT g.id, g.parent_id, g.is_superuser
  FROM user_groups ug JOIN groups g ON g.id = ug.group_id
  WHERE ug.user_id = (SELECT id FROM caller)
  UNION
  SELECT p.id, p.parent_id, p.is_superuser
  FROM groups p JOIN ancestry a ON p.id = a.parent_id
), caller_roles AS (
  SELECT role_id FROM user_roles WHERE user_id = (SELECT id FROM caller)
  UNION
  SELECT role_id FROM group_roles WHERE group_id IN (SELECT id FROM ancestry)
)
SELECT c.id AS user_id, c.username,
  EXISTS (SELECT 1 FROM ancestry WHERE is_superuser) AS is_superuser,
  COALESCE((
    SELECT json_agg(DISTINCT jsonb_build_object(
      'permission', rp.app_label || '.' || rp.codename, 'object_pk', rp.object_pk))
    FROM role_permissions rp WHERE rp.role_id IN (SELECT role_id FROM caller_roles)
  ), '[]') AS permissions
FROM caller c`;

/** The users' direct groups and superuser flags: src/users/users.service.ts, verbatim. */
export const MEMBERSHIP_SQL = `
WITH RECURSIVE ancestry AS (
  SELECT ug.user_id, g.id, g.parent_id, g.is_superuser
  FROM user_groups ug JOIN groups g ON g.id = ug.group_id
  WHERE ug.user_id = ANY($1::int[])
  UNION
  SELECT a.user_id, p.id, p.parent_id, p.is_superuser
  FROM ancestry a JOIN groups p ON p.id = a.parent_id
), superusers AS (
  SELECT DISTINCT user_id FROM ancestry WHERE is_superuser
)
SELECT u.user_id, g.id, g.name, g.is_superuser, g.parent_id, parent.name AS parent_name,
  g.attributes, EXISTS (SELECT 1 FROM superusers s WHERE s.user_id = u.user_id) AS user_is_superuser
FROM unnest($1::int[]) AS u(user_id)
LEFT JOIN user_groups ug ON ug.user_id = u.user_id
LEFT JOIN groups g ON g.id = ug.group_id
LEFT JOIN groups parent ON parent.id = g.parent_id
ORDER BY u.user_id, g.name`;

const isoUtc = (column) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

/** Everything an item shows, from `g` (the grant), `u`, `p`, `app` and `backchannel`. */
const ITEM_COLUMNS = `g.id, g.user_id,
  g.expiring AND g.expires IS NOT NULL AND g.expires < now() AS is_expired,
  ${isoUtc('g.expires')} AS expires, g.scope,
  p.id AS p_id, p.name AS p_name, p.authentication_flow, p.authorization_flow,
  p.invalidation_flow, p.property_mappings, app.slug AS app_slug, app.name AS app_name,
  backchannel.slug AS backchannel_slug, backchannel.name AS backchannel_name,
  p.client_type, p.client_id, p.client_secret, p.access_code_validity,
  p.access_token_validity, p.refresh_token_validity, p.include_claims_in_id_token,
  p.signing_key, p.encryption_key, p.redirect_uris, p.sub_mode, p.issuer_mode, p.jwks_sources,
  u.username, u.name AS u_name, u.is_active, ${isoUtc('u.last_login')} AS last_login,
  u.email, u.attributes, u.path, u.type, u.uuid`;

const ITEM_JOINS = `JOIN users u ON u.id = g.user_id
JOIN oauth2_providers p ON p.id = g.provider_id
LEFT JOIN applications app ON app.provider_id = p.id
LEFT JOIN applications backchannel ON backchannel.id = p.backchannel_application_id`;

const itemColumns = (kind) =>
  kind.issuedToken ? `${ITEM_COLUMNS}, g.id_token, g.revoked` : ITEM_COLUMNS;

const whereClause = (conditions) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');

const orderClause = (terms) =>
  `ORDER BY ${terms.map((t) => `${t.expression} ${t.descending ? 'DESC' : 'ASC'}`).join(', ')}`;

/**
 * The WHERE conditions of a list (contract §3 visibility, filters, search), their parameters
 * appended to `values`. Search finds the matching users and providers through their trigram
 * indexes, then the grants through the grant table's user and provider indexes.
 */
export function listConditions(filter, values) {
  const bind = (value) => `$${values.push(value)}`;
  const conditions = [];
  if (filter.ownerId !== undefined) {
    const owner = bind(filter.ownerId);
    conditions.push(
      filter.objectPks.length > 0
        ? `(g.user_id = ${owner} OR g.id = ANY(${bind(filter.objectPks)}::bigint[]))`
        : `g.user_id = ${owner}`,
    );
  }
  if (filter.user) conditions.push(`g.user_id = ${bind(filter.user)}`);
  if (filter.provider) conditions.push(`g.provider_id = ${bind(filter.provider)}`);
  if (filter.search !== undefined) {
    const pattern = bind(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    conditions.push(`(g.user_id = ANY (ARRAY(SELECT id FROM users
    WHERE username ILIKE ${pattern} OR name ILIKE ${pattern} OR email ILIKE ${pattern}))
  OR g.provider_id = ANY (ARRAY(SELECT id FROM oauth2_providers
    WHERE name ILIKE ${pattern} OR client_id ILIKE ${pattern})))`);
  }
  return conditions;
}

/** Exact count from the trigger-kept counters: whole table, or one provider. */
export function counterCountQuery(kind, provider) {
  return {
    text: `SELECT COALESCE(sum(n), 0)::bigint AS count FROM grant_counts
WHERE grant_table = $1 AND ($2::int IS NULL OR provider_id = $2)`,
    values: [kind.table, provider || null],
  };
}

/** Exact count from the per-user counters: one user's rows, of one provider or all. */
export function userCounterCountQuery(kind, user, provider) {
  return {
    text: `SELECT COALESCE(sum(n), 0)::bigint AS count FROM grant_user_counts
WHERE grant_table = $1 AND user_id = $2::int AND ($3::int IS NULL OR provider_id = $3)`,
    values: [kind.table, user, provider || null],
  };
}

/**
 * The rows of a list as `g` (its FROM item). With a search: the matching users' rows, then the
 * matching providers' rows whose user does not match, each driven by the small table.
 */
function listedRows(kind, filter, values) {
  if (filter.search === undefined) {
    return `${kind.table} g ${whereClause(listConditions(filter, values))}`.trim();
  }
  const base = listConditions({ ...filter, search: undefined }, values);
  const pattern = `$${values.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`;
  const userMatches = `(u.username ILIKE ${pattern} OR u.name ILIKE ${pattern} OR u.email ILIKE ${pattern})`;
  const providerMatches = `(p.name ILIKE ${pattern} OR p.client_id ILIKE ${pattern})`;
  const columns = `g.id, g.user_id, g.provider_id, g.expires${kind.issuedToken ? ', g.revoked' : ''}`;
  const byUser = `SELECT ${columns} FROM ${kind.table} g JOIN users u ON u.id = g.user_id
  ${whereClause([...base, userMatches])}`;
  const byProvider = `SELECT ${columns} FROM ${kind.table} g
  JOIN oauth2_providers p ON p.id = g.provider_id JOIN users u ON u.id = g.user_id
  ${whereClause([...base, providerMatches, `${userMatches} IS NOT TRUE`])}`;
  return `(${byUser} UNION ALL ${byProvider}) g`;
}

export function countQuery(kind, filter) {
  const values = [];
  return { text: `SELECT count(*) AS count FROM ${listedRows(kind, filter, values)}`, values };
}

/** One page by deferred join: ids from the grant table's indexes, then only those rows joined. */
export function pageQuery(kind, filter, terms, offset, limit) {
  const values = [];
  const ids = [`SELECT g.id FROM ${listedRows(kind, filter, values)}`, orderClause(terms)];
  const text = `SELECT ${itemColumns(kind)}
FROM (${ids.join(' ')} LIMIT ${Number(limit)} OFFSET ${Number(offset)}) page
JOIN ${kind.table} g ON g.id = page.id
${ITEM_JOINS}
${orderClause(terms)}`;
  return { text, values };
}

export function retrieveQuery(kind, filter, id) {
  const values = [];
  const conditions = listConditions(filter, values);
  conditions.push(`g.id = $${values.push(id)}`);
  const text = `SELECT ${itemColumns(kind)}\nFROM ${kind.table} g\n${ITEM_JOINS}\n${whereClause(conditions)}`;
  return { text, values };
}
