/**
 * The floor: the fastest honest answer to the benchmark's requests. A bare `node:http` server over a
 * `pg` pool that answers GET /api/v3/oauth2/{authorization_codes,refresh_tokens}/[<id>/] with the
 * service's JSON, byte for byte, from hand-written SQL (bench/floor-sql.mjs). It does the same work
 * per request — API key lookup by HMAC digest, count, page, the users' groups — and nothing else: no
 * framework, no validation, no logging. Not an API: anything else gets a bare 404.
 *
 * Environment: DATABASE_URL, SECRET_KEY, PORT, HOST (as the service).
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import {
  GRANT_KINDS,
  MEMBERSHIP_SQL,
  PRINCIPAL_SQL,
  counterCountQuery,
  countQuery,
  userCounterCountQuery,
  pageQuery,
  retrieveQuery,
} from './floor-sql.mjs';

const VIEW_PROVIDER = 'authentik_providers_oauth2.view_oauth2provider';
const ORDERING = { pk: 'g.id', provider: 'g.provider_id', user: 'g.user_id', expires: 'g.expires' };
const DEFAULT_ORDERING = ['provider', 'expires'];
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const ROUTE = /^\/api\/v3\/oauth2\/(authorization_codes|refresh_tokens)\/(?:(\d+)\/)?$/;

class HttpError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

// ------------------------------------------------------------------------------------------------
// Authentication
// ------------------------------------------------------------------------------------------------

/** The HMAC key of src/common/crypto/secret-box.ts, derived from SECRET_KEY the same way. */
const lookupKey = Buffer.from(
  hkdfSync('sha256', process.env.SECRET_KEY ?? '', 'grants-api', 'token-key lookup', 32),
);

async function principalOf(pool, header) {
  const match = /^bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  if (!match) throw new HttpError(403, 'Authentication credentials were not provided.');
  const digest = createHmac('sha256', lookupKey).update(match[1], 'utf8').digest();
  const { rows } = await pool.query(PRINCIPAL_SQL, [digest]);
  if (!rows[0]) throw new HttpError(403, 'Token invalid/expired');
  const global = new Set();
  const objects = new Map();
  for (const { permission, object_pk: pk } of rows[0].permissions) {
    if (pk === '') global.add(permission);
    else objects.set(permission, new Set([...(objects.get(permission) ?? []), pk]));
  }
  const { user_id: userId, is_superuser: isSuperuser } = rows[0];
  const holds = (name) => isSuperuser || global.has(name);
  const holdsOn = (name, pk) => holds(name) || (objects.get(name)?.has(pk) ?? false);
  return { userId, holds, holdsOn, objectPks: (name) => [...(objects.get(name) ?? [])] };
}

// ------------------------------------------------------------------------------------------------
// Query parameters (no validation: the benchmark sends valid ones)
// ------------------------------------------------------------------------------------------------

/** Repeated keys: the last value wins; empty values are absent (as the service reads them). */
function lastValues(searchParams) {
  const values = {};
  for (const key of new Set(searchParams.keys())) {
    const value = searchParams.getAll(key).at(-1);
    if (value !== '') values[key] = value;
  }
  return values;
}

function filterOf(kind, principal, params) {
  const seesAll = principal.holds(kind.viewPermission);
  return {
    ownerId: seesAll ? undefined : principal.userId,
    objectPks: seesAll
      ? []
      : principal.objectPks(kind.viewPermission).filter((pk) => /^\d{1,18}$/.test(pk)),
    user: params.user,
    provider: params.provider,
    search: params.search,
  };
}

function pageSizeOf(raw) {
  if (raw === undefined || !/^\d{1,15}$/.test(raw) || Number(raw) === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(Number(raw), MAX_PAGE_SIZE);
}

function pageOf(raw, count, pageSize) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  if (raw === 'last') return pages;
  const page = raw === undefined ? 1 : /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
  if (page < 1 || page > pages) throw new HttpError(404, 'Invalid page.');
  return page;
}

/** Known terms in the order given, each once, default when none; the primary key breaks ties. */
function orderTerms(raw, kind) {
  const allowed = kind.issuedToken ? { ...ORDERING, revoked: 'g.revoked' } : ORDERING;
  const terms = [];
  const add = (term) => {
    const descending = term.startsWith('-');
    const expression = allowed[descending ? term.slice(1) : term];
    if (expression && !terms.some((t) => t.expression === expression))
      terms.push({ expression, descending });
  };
  (raw ?? '').split(',').forEach((term) => add(term.trim()));
  if (terms.length === 0) DEFAULT_ORDERING.forEach(add);
  if (!terms.some((t) => t.expression === 'g.id'))
    terms.push({ expression: 'g.id', descending: false });
  return terms;
}

// ------------------------------------------------------------------------------------------------
// Presentation: the service's JSON, keys in the same order
// ------------------------------------------------------------------------------------------------

const isoUtc = (raw) =>
  raw === null ? null : `${raw.endsWith('.000000') ? raw.slice(0, -7) : raw}Z`;

const escapeXml = (text) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The AVATARS=initials avatar of src/users/avatar.ts. */
function initialsAvatar(name, username) {
  const initials = (name.trim() || username)
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0].toUpperCase())
    .join('');
  const hue = createHash('sha256').update(username).digest().readUInt16BE(0) % 360;
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
    `<rect width="64" height="64" fill="hsl(${hue},45%,40%)"/>` +
    '<text x="50%" y="50%" dy=".35em" text-anchor="middle" font-family="sans-serif" ' +
    `font-size="26" fill="#fff">${escapeXml(initials)}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** authentik's `num_pk`: the first five decimal digits of the uuid as a 128-bit integer. */
const numPk = (uuid) =>
  Number(
    BigInt(`0x${uuid.replaceAll('-', '')}`)
      .toString()
      .slice(0, 5),
  );

const groupOf = (row) => ({
  pk: row.id,
  num_pk: numPk(row.id),
  name: row.name,
  is_superuser: row.is_superuser,
  parent: row.parent_id,
  parent_name: row.parent_name,
  attributes: row.attributes,
});

function userOf(row, membership, installId, includeGroups) {
  const groups = membership?.groups ?? [];
  return {
    pk: row.user_id,
    username: row.username,
    name: row.u_name,
    is_active: row.is_active,
    last_login: isoUtc(row.last_login),
    is_superuser: membership?.isSuperuser ?? false,
    groups: groups.map((group) => group.id),
    groups_obj: includeGroups ? groups.map(groupOf) : null,
    email: row.email,
    avatar: initialsAvatar(row.u_name, row.username),
    attributes: row.attributes,
    uid: createHash('sha256').update(`${row.user_id}-${installId}`).digest('hex'),
    path: row.path,
    type: row.type,
    uuid: row.uuid,
  };
}

const providerOf = (row, revealSecret) => ({
  pk: row.p_id,
  name: row.p_name,
  authentication_flow: row.authentication_flow,
  authorization_flow: row.authorization_flow,
  invalidation_flow: row.invalidation_flow,
  property_mappings: row.property_mappings,
  component: 'ak-provider-oauth2-form',
  assigned_application_slug: row.app_slug,
  assigned_application_name: row.app_name,
  assigned_backchannel_application_slug: row.backchannel_slug,
  assigned_backchannel_application_name: row.backchannel_name,
  verbose_name: 'OAuth2/OpenID Provider',
  verbose_name_plural: 'OAuth2/OpenID Providers',
  meta_model_name: 'authentik_providers_oauth2.oauth2provider',
  client_type: row.client_type,
  client_id: row.client_id,
  client_secret: revealSecret ? row.client_secret : '',
  access_code_validity: row.access_code_validity,
  access_token_validity: row.access_token_validity,
  refresh_token_validity: row.refresh_token_validity,
  include_claims_in_id_token: row.include_claims_in_id_token,
  signing_key: row.signing_key,
  encryption_key: row.encryption_key,
  redirect_uris: row.redirect_uris,
  sub_mode: row.sub_mode,
  issuer_mode: row.issuer_mode,
  jwks_sources: row.jwks_sources,
});

const CLAIM_ORDER = ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'c_hash'];
const CLAIM_ORDER_TAIL = ['nonce', 'at_hash', 'sid', 'jti'];

/** authentik's id_token: claims in IDToken order, nulls dropped, json.dumps(indent=4) escaping. */
function idTokenOf(claims) {
  const ordered = {};
  const source = claims ?? {};
  for (const key of [...CLAIM_ORDER, ...CLAIM_ORDER_TAIL, ...Object.keys(source)]) {
    const value = source[key];
    if (value !== null && value !== undefined && !(key in ordered)) ordered[key] = value;
  }
  return JSON.stringify(ordered, null, 4).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Groups and superuser flags of the page's users, in one query. */
async function membershipsOf(pool, userIds) {
  const result = new Map();
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return result;
  const { rows } = await pool.query(MEMBERSHIP_SQL, [unique]);
  for (const row of rows) {
    if (!result.has(row.user_id))
      result.set(row.user_id, { groups: [], isSuperuser: row.user_is_superuser });
    if (row.id !== null) result.get(row.user_id).groups.push(row);
  }
  return result;
}

async function itemsOf(context, kind, rows, principal, params) {
  const memberships = await membershipsOf(
    context.pool,
    rows.map((row) => row.user_id),
  );
  const includeGroups =
    params.include_groups === undefined || params.include_groups.toLowerCase() === 'true';
  return rows.map((row) => {
    const item = {
      pk: Number(row.id),
      provider: providerOf(row, principal.holdsOn(VIEW_PROVIDER, String(row.p_id))),
      user: userOf(row, memberships.get(row.user_id), context.installId, includeGroups),
      is_expired: row.is_expired,
      expires: isoUtc(row.expires),
      scope: row.scope.split(' ').filter(Boolean),
    };
    if (!kind.issuedToken) return item;
    return { ...item, id_token: idTokenOf(row.id_token), revoked: row.revoked };
  });
}

// ------------------------------------------------------------------------------------------------
// Handlers
// ------------------------------------------------------------------------------------------------

async function countOf(context, kind, filter) {
  const query = countQueryOf(context, kind, filter);
  // A plain user naming someone else: nothing to count, as in the service.
  if (query === null) return 0;
  const { rows } = await context.pool.query(query);
  return Number(rows[0].count);
}

/** As the service: the counters unless a search or object permissions shape the rows. */
function countQueryOf(context, kind, filter) {
  if (filter.search !== undefined) return countQuery(kind, filter);
  if (filter.ownerId === undefined) {
    if (!filter.user && context.hasCounters) return counterCountQuery(kind, filter.provider);
    if (filter.user && context.hasUserCounters)
      return userCounterCountQuery(kind, filter.user, filter.provider);
  } else if (filter.objectPks.length === 0 && context.hasUserCounters) {
    if (filter.user && Number(filter.user) !== filter.ownerId) return null;
    return userCounterCountQuery(kind, filter.ownerId, filter.provider);
  }
  return countQuery(kind, filter);
}

async function list(context, kind, principal, params) {
  const filter = filterOf(kind, principal, params);
  const pageSize = pageSizeOf(params.page_size);
  const count = await countOf(context, kind, filter);
  const page = pageOf(params.page, count, pageSize);
  const terms = orderTerms(params.ordering, kind);
  const { rows } = await context.pool.query(
    pageQuery(kind, filter, terms, (page - 1) * pageSize, pageSize),
  );
  const results = await itemsOf(context, kind, rows, principal, params);
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const pagination = {
    next: page < pages ? page + 1 : 0,
    previous: page > 1 ? page - 1 : 0,
    count,
    current: page,
    total_pages: pages,
    start_index: count === 0 ? 0 : (page - 1) * pageSize + 1,
    end_index: count === 0 ? 0 : Math.min(page * pageSize, count),
  };
  return { pagination, results };
}

async function retrieve(context, kind, principal, params, id) {
  const filter = filterOf(kind, principal, params);
  const { rows } = await context.pool.query(retrieveQuery(kind, filter, id));
  if (!rows[0]) throw new HttpError(404, `No ${kind.modelName} matches the given query.`);
  const [item] = await itemsOf(context, kind, rows, principal, params);
  return item;
}

function send(response, status, body) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}

async function handle(context, request, response) {
  const url = new URL(request.url, 'http://floor');
  if (url.pathname === '/-/health/ready/') return send(response, 200, {});
  const route = request.method === 'GET' ? ROUTE.exec(url.pathname) : null;
  if (!route) return send(response, 404, { detail: 'Not found.' });
  const kind = GRANT_KINDS[route[1]];
  const principal = await principalOf(context.pool, request.headers.authorization);
  const params = lastValues(url.searchParams);
  const body = route[2]
    ? await retrieve(context, kind, principal, params, route[2])
    : await list(context, kind, principal, params);
  send(response, 200, body);
}

async function main() {
  // The service's pool size (src/database/data-source-options.ts).
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: 10,
    application_name: 'grants-bench-floor',
  });
  const { rows } = await pool.query(
    `SELECT install_id, to_regclass('grant_counts') IS NOT NULL AS has_counters,
       to_regclass('grant_user_counts') IS NOT NULL AS has_user_counters FROM install`,
  );
  const context = {
    pool,
    installId: rows[0].install_id,
    hasCounters: rows[0].has_counters,
    hasUserCounters: rows[0].has_user_counters,
  };
  const server = http.createServer((request, response) => {
    handle(context, request, response).catch((error) => {
      if (error instanceof HttpError)
        return send(response, error.status, { detail: error.message });
      console.error(error);
      send(response, 500, { detail: 'A server error occurred.' });
    });
  });
  server.listen(Number(process.env.PORT ?? 9100), process.env.HOST ?? '127.0.0.1');
  const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

await main();
