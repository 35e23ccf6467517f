/**
 * Seed data generator: groups, users, OAuth2 providers, applications and their grants (authorization
 * codes, access tokens, refresh tokens), written with PostgreSQL COPY in a single transaction.
 *
 * Determinism: every value derives from `seed`, from `now` (all timestamps are offsets from it) and
 * from the database's ids. Text comes from a seeded Faker instance; secrets, token values and grant
 * distributions from an AES-256-CTR keystream keyed by the run's namespace, which is fast enough
 * for millions of rows and uniform enough that 256-bit token values never collide in practice. Two
 * empty databases seeded with the same options and `now` therefore hold identical rows (user and
 * provider ids come from the tables' sequences, so they match as well).
 *
 * Non-empty databases: every unique name carries the run's namespace tag, `s<seed>` for the first
 * run of a seed on a database and `s<seed>r<n>` for the n-th: usernames end in `.<tag>`, group and
 * provider names in ` (<tag>)`, application slugs in `-<tag>`. The tag is chosen inside the
 * transaction as the first one no existing row uses (under an advisory lock, so concurrent seeds
 * queue), and the keystream is keyed by it, so re-running a seed adds a fresh, different data set
 * instead of failing on unique constraints. Ids are reserved from the tables' own sequences (or
 * generated as uuids), so they never collide with existing rows either.
 *
 * Speed: grants are produced lazily, a chunk of rows at a time, and streamed through COPY; nothing
 * proportional to the number of grants is held in memory. Users are held in memory (the grants'
 * id_token claims need their names), which is fine up to a few million.
 */
import { createCipheriv, hash, type Cipher } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Faker, base, en } from '@faker-js/faker';
import type { Pool, PoolClient } from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { PolicyEngineMode } from '../applications/application.entity.js';
import type {
  ClientType,
  IssuerMode,
  SubMode,
} from '../oauth2-providers/oauth2-provider.entity.js';
import type { UserType } from '../users/user.entity.js';

export interface SeedOptions {
  users: number;
  groups: number;
  providers: number;
  codes: number;
  accessTokens: number;
  refreshTokens: number;
  /** Share of each grant table, in [0, 1], that is already expired. */
  expiredRatio: number;
  seed: number;
  /** The instant expiries and other timestamps are relative to; defaults to the current time. */
  now?: Date;
}

export const SEED_TABLES = [
  'groups',
  'users',
  'user_groups',
  'oauth2_providers',
  'applications',
  'authorization_codes',
  'access_tokens',
  'refresh_tokens',
] as const;
export type SeedTable = (typeof SEED_TABLES)[number];

export type GrantTable = 'authorization_codes' | 'access_tokens' | 'refresh_tokens';

export interface SeedSummary {
  /** The namespace tag of this run (see the top of this file). */
  tag: string;
  /** Rows inserted per table. */
  counts: Record<SeedTable, number>;
  /** Rows inserted already expired, per grant table. */
  expired: Record<GrantTable, number>;
  /** Providers inserted as backchannel providers of an application (included in the counts). */
  backchannelProviders: number;
}

export type SeedProgress = (done: number, total: number) => void;

/** Problems with the options, empty when they are valid. */
export function validateSeedOptions(options: SeedOptions): string[] {
  const problems: string[] = [];
  const counts = {
    users: options.users,
    groups: options.groups,
    providers: options.providers,
    codes: options.codes,
    accessTokens: options.accessTokens,
    refreshTokens: options.refreshTokens,
    seed: options.seed,
  };
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isSafeInteger(value) || value < 0)
      problems.push(`${name} must be a non-negative integer`);
  }
  const ratio = options.expiredRatio;
  if (!(Number.isFinite(ratio) && ratio >= 0 && ratio <= 1))
    problems.push('expiredRatio must be a number between 0 and 1');
  // Every user joins at least one group, and there must be a superuser group.
  if (options.users > 0 && options.groups < 1)
    problems.push('groups must be at least 1 when users are seeded');
  const grants = options.codes + options.accessTokens + options.refreshTokens;
  if (grants > 0 && (options.users < 1 || options.providers < 1))
    problems.push('grants need at least one user and one provider');
  if (options.now && Number.isNaN(options.now.getTime())) problems.push('now must be a valid date');
  return problems;
}

/**
 * Adds the seed data to the (migrated) database of `dataSource` in one transaction and returns what
 * it inserted. `onProgress` is called after every chunk of rows with the rows written so far.
 */
export async function seedDatabase(
  dataSource: DataSource,
  options: SeedOptions,
  onProgress: SeedProgress = () => undefined,
): Promise<SeedSummary> {
  const problems = validateSeedOptions(options);
  if (problems.length > 0) throw new Error(`Invalid seed options: ${problems.join('; ')}`);
  // The driver's pool: COPY needs the raw pg client, which TypeORM's query runner does not expose.
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const client = await pool.connect();
  // A lost connection also rejects the pending query, which is what callers see; unlistened, the
  // client's 'error' event would crash the process instead.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    const summary = await seedInTransaction(client, options, onProgress);
    await client.query('COMMIT');
    return summary;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Orchestration
// ---------------------------------------------------------------------------------------------

/** Arbitrary constant: serialises concurrent seed runs so they pick distinct namespace tags. */
const SEED_LOCK_KEY = 0x5eed_da7a;

async function seedInTransaction(
  client: PoolClient,
  options: SeedOptions,
  onProgress: SeedProgress,
): Promise<SeedSummary> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
  const tag = await chooseTag(client, options.seed);
  const context: SeedContext = {
    tag,
    nowMs: (options.now ?? new Date()).getTime(),
    installId: await readInstallId(client),
    faker: createFaker(options.seed, tag),
  };
  const userIds = await reserveIds(client, 'users', options.users);
  const providerIds = await reserveIds(client, 'oauth2_providers', options.providers);
  const plan = planReferenceData(context, options, userIds, providerIds);

  const grantTotal = options.codes + options.accessTokens + options.refreshTokens;
  const total =
    plan.groups.length +
    plan.users.length +
    plan.memberships +
    plan.providers.length +
    plan.applications.length +
    grantTotal;
  const progress = new ProgressCounter(total, onProgress);

  await copyGroups(client, plan, progress);
  await copyUsers(client, plan, progress);
  await copyMemberships(client, plan, progress);
  await copyProviders(client, plan, progress);
  await copyApplications(client, plan, progress);
  await linkBackchannelProviders(client, plan);
  const expired = await copyGrants(client, context, options, plan, progress);

  return {
    tag,
    counts: {
      groups: plan.groups.length,
      users: plan.users.length,
      user_groups: plan.memberships,
      oauth2_providers: plan.providers.length,
      applications: plan.applications.length,
      authorization_codes: options.codes,
      access_tokens: options.accessTokens,
      refresh_tokens: options.refreshTokens,
    },
    expired,
    backchannelProviders: plan.providers.filter((p) => p.backchannelOf !== null).length,
  };
}

interface SeedContext {
  tag: string;
  nowMs: number;
  installId: string;
  faker: Faker;
}

/** Calls the progress callback with running totals. */
class ProgressCounter {
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly report: SeedProgress,
  ) {
    report(0, total);
  }

  add(rows: number): void {
    this.done += rows;
    this.report(this.done, this.total);
  }
}

/** The first namespace tag of this seed that no existing row uses. */
async function chooseTag(client: PoolClient, seed: number): Promise<string> {
  for (let run = 1; ; run++) {
    const tag = run === 1 ? `s${seed}` : `s${seed}r${run}`;
    const { rows } = await client.query<{ used: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM users WHERE username LIKE $1)
           OR EXISTS (SELECT 1 FROM groups WHERE name LIKE $2)
           OR EXISTS (SELECT 1 FROM oauth2_providers WHERE name LIKE $2)
           OR EXISTS (SELECT 1 FROM applications WHERE slug LIKE $3) AS used`,
      [`%.${tag}`, `% (${tag})`, `%-${tag}`],
    );
    if (!rows[0]?.used) return tag;
  }
}

/** The install id authentik derives user `uid`s (hashed_user_id subjects) from. */
async function readInstallId(client: PoolClient): Promise<string> {
  const { rows } = await client.query<{ installId: string }>(
    'SELECT install_id AS "installId" FROM install LIMIT 1',
  );
  return rows[0]?.installId ?? '';
}

/**
 * Takes `count` values from the serial sequence of `table`.id, so the rows can be written with
 * COPY and referenced by the rows that follow without reading the ids back.
 */
async function reserveIds(client: PoolClient, table: string, count: number): Promise<number[]> {
  if (count === 0) return [];
  const { rows } = await client.query<{ id: number }>(
    `SELECT nextval(pg_get_serial_sequence($1, 'id'))::integer AS id FROM generate_series(1, $2)`,
    [table, count],
  );
  return rows.map((row) => row.id).sort((a, b) => a - b);
}

function createFaker(seed: number, tag: string): Faker {
  const faker = new Faker({ locale: [en, base] });
  // Faker takes 32-bit seeds: split the seed and mix in the run so re-runs get new names.
  const run = Number(/r(\d+)$/.exec(tag)?.[1] ?? 1);
  faker.seed([seed % 2 ** 32, Math.floor(seed / 2 ** 32), run]);
  return faker;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

const KEYSTREAM_BLOCK = Buffer.alloc(64 * 1024);
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Pseudo-random bytes and numbers from the AES-256-CTR keystream of a key derived from `label`:
 * deterministic, fast (hardware AES, 64 KiB at a time) and of cryptographic quality.
 */
class RandomStream {
  private readonly cipher: Cipher;
  private pool = Buffer.alloc(0);
  private offset = 0;

  constructor(label: string) {
    const key = hash('sha256', `grants-api-seed:${label}`, 'buffer');
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  float(): number {
    this.ensure(4);
    const value = this.pool.readUInt32LE(this.offset);
    this.offset += 4;
    return value / 2 ** 32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** `bytes` random bytes, encoded. */
  encoded(bytes: number, encoding: 'hex' | 'base64url'): string {
    this.ensure(bytes);
    const text = this.pool.toString(encoding, this.offset, this.offset + bytes);
    this.offset += bytes;
    return text;
  }

  /** `length` characters of [A-Za-z0-9], uniformly (bytes ≥ 248 are rejected to avoid bias). */
  alphanumeric(length: number): string {
    let text = '';
    while (text.length < length) {
      this.ensure(1);
      const byte = this.pool[this.offset++]!;
      if (byte < 248) text += ALPHANUMERIC[byte % 62];
    }
    return text;
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.pool.length) return;
    const rest = this.pool.subarray(this.offset);
    const fresh = this.cipher.update(KEYSTREAM_BLOCK);
    this.pool = rest.length > 0 ? Buffer.concat([rest, fresh]) : fresh;
    this.offset = 0;
  }
}

/** Picks items with probability proportional to 1/rank^exponent (Zipf), ranks shuffled. */
class ZipfSampler {
  private readonly cumulative: Float64Array;
  private readonly itemAtRank: Int32Array;

  constructor(count: number, exponent: number, random: RandomStream) {
    this.cumulative = new Float64Array(count);
    let sum = 0;
    for (let rank = 0; rank < count; rank++) {
      sum += 1 / (rank + 1) ** exponent;
      this.cumulative[rank] = sum;
    }
    this.itemAtRank = shuffledIndexes(count, random);
  }

  /** An item index in [0, count). */
  sample(random: RandomStream): number {
    const target = random.float() * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! <= target) low = middle + 1;
      else high = middle;
    }
    return this.itemAtRank[low]!;
  }
}

/** 0..count-1 in random order (Fisher–Yates). */
function shuffledIndexes(count: number, random: RandomStream): Int32Array {
  const indexes = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  return indexes;
}

// ---------------------------------------------------------------------------------------------
// Reference data: groups, users, providers, applications
// ---------------------------------------------------------------------------------------------

interface PlannedGroup {
  id: string;
  name: string;
  isSuperuser: boolean;
  parent: number | null;
  depth: number;
}

interface PlannedUser {
  id: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  isActive: boolean;
  type: UserType;
  dateJoined: number;
  lastLogin: number | null;
  groups: number[];
}

interface Validity {
  text: string;
  seconds: number;
}

interface PlannedProvider {
  id: number;
  name: string;
  clientType: ClientType;
  clientId: string;
  clientSecret: string;
  codeValidity: Validity;
  accessValidity: Validity;
  refreshValidity: Validity;
  redirectUris: string;
  subMode: SubMode;
  issuerMode: IssuerMode;
  issuer: string;
  /** Index of the application using this provider as a backchannel provider. */
  backchannelOf: number | null;
}

interface PlannedApplication {
  id: string;
  name: string;
  slug: string;
  provider: number;
  metaLaunchUrl: string;
  openInNewTab: boolean;
  group: string;
  policyEngineMode: PolicyEngineMode;
}

interface Plan {
  groups: PlannedGroup[];
  users: PlannedUser[];
  memberships: number;
  providers: PlannedProvider[];
  applications: PlannedApplication[];
}

function planReferenceData(
  context: SeedContext,
  options: SeedOptions,
  userIds: number[],
  providerIds: number[],
): Plan {
  const random = new RandomStream(`${context.tag}:reference`);
  const domain = context.faker.internet.domainName();
  const groups = planGroups(context, options.groups);
  const users = planUsers(context, random, domain, userIds, groups);
  const { providers, applications } = planProviders(context, random, domain, providerIds);
  const memberships = users.reduce((sum, user) => sum + user.groups.length, 0);
  return { groups, users, memberships, providers, applications };
}

const GROUP_NAMES = [
  'Engineering',
  'Platform',
  'Site Reliability',
  'Security',
  'Finance',
  'Human Resources',
  'Sales',
  'Marketing',
  'Customer Support',
  'Legal',
  'Product',
  'Design',
  'Data',
  'IT Operations',
  'Research',
  'Contractors',
  'Interns',
  'Partners',
];
const GROUP_SUFFIXES = ['Team', 'Leads', 'On-Call', 'Admins', 'Readers', 'Guild', 'EMEA', 'APAC'];
const MAX_GROUP_DEPTH = 3;

/**
 * Group 0 is the superuser group. The others form a forest at most four levels deep: about a
 * quarter are departments (roots), the first department gets a child and a grandchild so the
 * hierarchy is at least three levels deep when there are enough groups, and the rest hang off a
 * random earlier group. Sub-groups are named after their department ("Sales Leads", "Sales EMEA").
 */
function planGroups(context: SeedContext, count: number): PlannedGroup[] {
  const { faker, tag } = context;
  if (count === 0) return [];
  const groups: PlannedGroup[] = [
    {
      id: faker.string.uuid(),
      name: `authentik Admins (${tag})`,
      isSuperuser: true,
      parent: null,
      depth: 0,
    },
  ];
  const departments = faker.helpers.shuffle(GROUP_NAMES);
  const rootCount = Math.min(departments.length, Math.ceil((count - 1) / 4));
  const names = new UniqueNames();
  // The department (root name) of each group, by index.
  const departmentOf: string[] = [''];
  for (let i = 1; i < count; i++) {
    const parent = i <= rootCount ? null : pickGroupParent(faker, groups, i, rootCount);
    const department = parent === null ? departments[i - 1]! : departmentOf[parent]!;
    const baseName =
      parent === null ? department : `${department} ${faker.helpers.arrayElement(GROUP_SUFFIXES)}`;
    departmentOf.push(department);
    groups.push({
      id: faker.string.uuid(),
      name: `${names.claim(baseName, ' ')} (${tag})`,
      isSuperuser: false,
      parent,
      depth: parent === null ? 0 : groups[parent]!.depth + 1,
    });
  }
  return groups;
}

function pickGroupParent(
  faker: Faker,
  groups: PlannedGroup[],
  index: number,
  roots: number,
): number {
  if (index === roots + 1) return 1;
  if (index === roots + 2) return roots + 1;
  const candidates: number[] = [];
  for (let i = 1; i < groups.length; i++) {
    if (groups[i]!.depth < MAX_GROUP_DEPTH) candidates.push(i);
  }
  return faker.helpers.arrayElement(candidates);
}

/** Makes names unique within a run by numbering repeats ("Sales", "Sales 2", ...). */
class UniqueNames {
  private readonly taken = new Set<string>();
  /** Per name, the next repeat number to try: keeps frequent names from scanning from 2. */
  private readonly nextNumber = new Map<string, number>();

  claim(name: string, separator: string): string {
    let number = this.nextNumber.get(name) ?? 1;
    let candidate = number === 1 ? name : `${name}${separator}${number}`;
    // A numbered name may already be taken as a name of its own ("Sales 2"): skip it.
    while (this.taken.has(candidate)) candidate = `${name}${separator}${++number}`;
    this.nextNumber.set(name, number + 1);
    this.taken.add(candidate);
    return candidate;
  }
}

const USER_TYPE_WEIGHTS: { weight: number; value: UserType }[] = [
  { weight: 90, value: 'internal' },
  { weight: 7, value: 'external' },
  { weight: 2, value: 'service_account' },
  { weight: 1, value: 'internal_service_account' },
];
const DAY_MS = 86_400_000;
/** Room left in the 150-character username for the tag and a repeat number. */
const USERNAME_BASE_MAX = 120;

function planUsers(
  context: SeedContext,
  random: RandomStream,
  domain: string,
  ids: number[],
  groups: PlannedGroup[],
): PlannedUser[] {
  const { faker, tag, nowMs } = context;
  const usernames = new UniqueNames();
  const pickGroups = groupPicker(random, groups);
  return ids.map((id, index) => {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const base = usernames.claim(usernameBase(faker, firstName, lastName), '');
    // Joined well before the oldest grant (60 days back at most), so no grant predates its user.
    const dateJoined = nowMs - 90 * DAY_MS - Math.floor(random.float() * 3 * 365 * DAY_MS);
    const neverLoggedIn = random.chance(0.1);
    return {
      id,
      uuid: faker.string.uuid(),
      username: `${base}.${tag}`,
      name: `${firstName} ${lastName}`,
      email: `${base}@${domain}`,
      isActive: random.chance(0.97),
      type: faker.helpers.weightedArrayElement(USER_TYPE_WEIGHTS),
      dateJoined,
      lastLogin: neverLoggedIn
        ? null
        : dateJoined + Math.floor(random.float() * (nowMs - dateJoined)),
      groups: pickGroups(index),
    };
  });
}

function usernameBase(faker: Faker, firstName: string, lastName: string): string {
  const username = faker.internet
    .username({ firstName, lastName })
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '');
  return (username || 'user').slice(0, USERNAME_BASE_MAX);
}

/**
 * Returns a function giving each user 1–3 distinct groups: ordinary groups by popularity, the
 * superuser group only for the first user and about 1% of the others (unless it is the only one).
 */
function groupPicker(random: RandomStream, groups: PlannedGroup[]): (user: number) => number[] {
  const ordinary = groups.length - 1;
  const sampler = ordinary > 0 ? new ZipfSampler(ordinary, 0.8, random) : null;
  return (user) => {
    if (sampler === null) return [0];
    const wanted = Math.min(ordinary, 1 + Number(random.chance(0.35)) + Number(random.chance(0.1)));
    const picked = new Set<number>();
    // Popular groups may be drawn twice; a few retries keep the count close without looping long.
    for (let attempt = 0; picked.size < wanted && attempt < wanted * 4; attempt++) {
      picked.add(1 + sampler.sample(random));
    }
    if (user === 0 || random.chance(0.01)) picked.add(0);
    return [...picked].sort((a, b) => a - b);
  };
}

const APPLICATION_NAMES = [
  'Grafana',
  'GitLab',
  'Nextcloud',
  'Jenkins',
  'Argo CD',
  'Portainer',
  'Outline',
  'Mattermost',
  'HashiCorp Vault',
  'MinIO',
  'Proxmox VE',
  'Home Assistant',
  'Paperless-ngx',
  'Immich',
  'Kibana',
  'Sentry',
  'Harbor',
  'Rancher',
  'Wiki.js',
  'BookStack',
  'Vaultwarden',
  'Gitea',
  'Zammad',
  'Jellyfin',
  'Matrix Synapse',
  'Netbox',
  'Semaphore',
  'Tandoor Recipes',
];
const APPLICATION_KINDS = ['Portal', 'Console', 'Dashboard', 'Wiki', 'CRM', 'Helpdesk', 'Intranet'];
const APPLICATION_GROUPS = ['Monitoring', 'Development', 'Productivity', 'Infrastructure', ''];
const SLUG_MAX = 50;
/** Characters kept free for a "-<n>" repeat number. */
const SLUG_REPEAT_ROOM = 4;
const CODE_VALIDITIES = [validity('minutes', 1), validity('minutes', 1), validity('minutes', 5)];
const ACCESS_VALIDITIES = [validity('hours', 1), validity('hours', 1), validity('minutes', 30)];
const REFRESH_VALIDITIES = [validity('days', 30), validity('days', 30), validity('days', 7)];

function validity(unit: 'minutes' | 'hours' | 'days', amount: number): Validity {
  const unitSeconds = { minutes: 60, hours: 3_600, days: 86_400 }[unit];
  return { text: `${unit}=${amount}`, seconds: amount * unitSeconds };
}

/**
 * About one provider in ten (when there are at least three) is a backchannel provider of another
 * application; every other provider is the main provider of its own application.
 */
function planProviders(
  context: SeedContext,
  random: RandomStream,
  domain: string,
  ids: number[],
): { providers: PlannedProvider[]; applications: PlannedApplication[] } {
  const backchannelCount = ids.length >= 3 ? Math.max(1, Math.floor(ids.length / 10)) : 0;
  const applications: PlannedApplication[] = [];
  const providers: PlannedProvider[] = [];
  const names = new UniqueNames();
  const slugs = new UniqueNames();
  const appNames = context.faker.helpers.shuffle(APPLICATION_NAMES);
  const mainCount = ids.length - backchannelCount;
  for (let i = 0; i < mainCount; i++) {
    const appName = names.claim(appNames[i] ?? applicationName(context.faker), ' ');
    const application = planApplication(context, random, domain, appName, slugs, i);
    applications.push(application);
    const name = `Provider for ${appName} (${context.tag})`;
    providers.push(planProvider(context, random, domain, ids[i]!, name, application, null));
  }
  for (let i = 0; i < backchannelCount; i++) {
    const owner = context.faker.number.int({ min: 0, max: applications.length - 1 });
    const application = applications[owner]!;
    const name = `${application.name} Backchannel ${i + 1} (${context.tag})`;
    const id = ids[mainCount + i]!;
    providers.push(planProvider(context, random, domain, id, name, application, owner));
  }
  return { providers, applications };
}

function applicationName(faker: Faker): string {
  return `${faker.company.name()} ${faker.helpers.arrayElement(APPLICATION_KINDS)}`;
}

function planApplication(
  context: SeedContext,
  random: RandomStream,
  domain: string,
  name: string,
  slugs: UniqueNames,
  providerIndex: number,
): PlannedApplication {
  const { faker, tag } = context;
  const suffix = `-${tag}`;
  // Different names can share a slug once truncated: number repeats, leaving room for it.
  const slugBase = slugify(name).slice(0, SLUG_MAX - suffix.length - SLUG_REPEAT_ROOM) || 'app';
  return {
    id: faker.string.uuid(),
    name,
    slug: `${slugs.claim(slugBase, '-')}${suffix}`,
    provider: providerIndex,
    metaLaunchUrl: random.chance(0.7) ? `https://${slugify(name)}.${domain}/` : '',
    openInNewTab: random.chance(0.2),
    group: faker.helpers.arrayElement(APPLICATION_GROUPS),
    policyEngineMode: random.chance(0.85) ? 'any' : 'all',
  };
}

/** Lower-case and dash-separated. */
function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function planProvider(
  context: SeedContext,
  random: RandomStream,
  domain: string,
  id: number,
  name: string,
  application: PlannedApplication,
  backchannelOf: number | null,
): PlannedProvider {
  const { faker } = context;
  const clientType: ClientType = random.chance(0.7) ? 'confidential' : 'public';
  const host = `${slugify(application.name)}.${domain}`;
  const redirectUris = [`https://${host}/oauth2/callback`];
  if (random.chance(0.4)) redirectUris.push(`https://${host}/login/generic_oauth`);
  if (clientType === 'public') redirectUris.push(`http://localhost:${8000 + random.int(1000)}/`);
  const issuerMode: IssuerMode = random.chance(0.9) ? 'per_provider' : 'global';
  return {
    id,
    name,
    clientType,
    clientId: random.alphanumeric(40),
    clientSecret: random.alphanumeric(128),
    codeValidity: faker.helpers.arrayElement(CODE_VALIDITIES),
    accessValidity: faker.helpers.arrayElement(ACCESS_VALIDITIES),
    refreshValidity: faker.helpers.arrayElement(REFRESH_VALIDITIES),
    redirectUris: redirectUris.join('\n'),
    subMode: random.chance(0.8)
      ? 'hashed_user_id'
      : faker.helpers.arrayElement(['user_id', 'user_uuid', 'user_username', 'user_email']),
    issuerMode,
    issuer:
      issuerMode === 'global'
        ? `https://authentik.${domain}/`
        : `https://authentik.${domain}/application/o/${application.slug}/`,
    backchannelOf,
  };
}

// ---------------------------------------------------------------------------------------------
// COPY
// ---------------------------------------------------------------------------------------------

const CHUNK_ROWS = 2_000;

/** Streams the rows (each ending in a newline) into `table` with COPY ... FROM STDIN. */
async function copyRows(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<string>,
  progress: ProgressCounter,
): Promise<void> {
  const columnList = columns.map((column) => `"${column}"`).join(', ');
  const copy = client.query(pgCopyStreams.from(`COPY "${table}" (${columnList}) FROM STDIN`));
  // A small read-ahead: generating further ahead of PostgreSQL only costs memory.
  await pipeline(Readable.from(chunked(rows, progress), { highWaterMark: 2 }), copy);
}

/**
 * Encodes rows into buffers of thousands of rows, so the stream handles few large writes. Row
 * strings are built by concatenation (V8 keeps them as trees of pieces); turning each chunk into a
 * Buffer right away frees those pieces while they are young, which keeps garbage collection cheap.
 */
function* chunked(rows: Iterable<string>, progress: ProgressCounter): Generator<Buffer> {
  let chunk: string[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === CHUNK_ROWS) {
      yield Buffer.from(chunk.join(''));
      progress.add(chunk.length);
      chunk = [];
    }
  }
  if (chunk.length > 0) {
    yield Buffer.from(chunk.join(''));
    progress.add(chunk.length);
  }
}

/** A text value in COPY text format (backslash, tab and line breaks escaped). */
function text(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(
        /[\\\t\n\r]/g,
        (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!,
      )
    : value;
}

function nullable(value: string | null): string {
  return value === null ? '\\N' : text(value);
}

function bool(value: boolean): string {
  return value ? 't' : 'f';
}

const datePrefixes = new Map<number, string>();

/**
 * `ms` as an ISO 8601 UTC timestamp. Grants need three per row, and Date#toISOString showed up in
 * profiles: the date part is cached per day and the time of day formatted by hand.
 */
function timestamp(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = datePrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    datePrefixes.set(day, prefix);
  }
  const time = ms - day * DAY_MS;
  return (
    prefix +
    pad2(Math.floor(time / 3_600_000)) +
    ':' +
    pad2(Math.floor(time / 60_000) % 60) +
    ':' +
    pad2(Math.floor(time / 1000) % 60) +
    '.' +
    String(time % 1000).padStart(3, '0') +
    'Z'
  );
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** A bytea value in COPY text format, from its hex digits. */
function bytea(hex: string): string {
  return `\\\\x${hex}`;
}

const GROUP_COLUMNS = ['id', 'name', 'is_superuser', 'parent_id', 'attributes'];

async function copyGroups(client: PoolClient, plan: Plan, progress: ProgressCounter) {
  const { groups } = plan;
  const rows = groups.map((group) => {
    const parent = group.parent === null ? null : groups[group.parent]!.id;
    return `${group.id}\t${text(group.name)}\t${bool(group.isSuperuser)}\t${nullable(parent)}\t{}\n`;
  });
  await copyRows(client, 'groups', GROUP_COLUMNS, rows, progress);
}

const USER_COLUMNS = [
  'id',
  'uuid',
  'username',
  'name',
  'email',
  'is_active',
  'last_login',
  'date_joined',
  'path',
  'type',
  'attributes',
];

async function copyUsers(client: PoolClient, plan: Plan, progress: ProgressCounter) {
  const rows = plan.users.map(
    (user) =>
      [
        user.id,
        user.uuid,
        text(user.username),
        text(user.name),
        text(user.email),
        bool(user.isActive),
        user.lastLogin === null ? '\\N' : timestamp(user.lastLogin),
        timestamp(user.dateJoined),
        'users',
        user.type,
        '{}',
      ].join('\t') + '\n',
  );
  await copyRows(client, 'users', USER_COLUMNS, rows, progress);
}

async function copyMemberships(client: PoolClient, plan: Plan, progress: ProgressCounter) {
  function* rows(): Generator<string> {
    for (const user of plan.users) {
      for (const group of user.groups) yield `${user.id}\t${plan.groups[group]!.id}\n`;
    }
  }
  await copyRows(client, 'user_groups', ['user_id', 'group_id'], rows(), progress);
}

const PROVIDER_COLUMNS = [
  'id',
  'name',
  'client_type',
  'client_id',
  'client_secret',
  'access_code_validity',
  'access_token_validity',
  'refresh_token_validity',
  'redirect_uris',
  'sub_mode',
  'issuer_mode',
];

async function copyProviders(client: PoolClient, plan: Plan, progress: ProgressCounter) {
  // backchannel_application_id is set afterwards: the applications reference the providers.
  const rows = plan.providers.map(
    (p) =>
      [
        p.id,
        text(p.name),
        p.clientType,
        p.clientId,
        p.clientSecret,
        p.codeValidity.text,
        p.accessValidity.text,
        p.refreshValidity.text,
        text(p.redirectUris),
        p.subMode,
        p.issuerMode,
      ].join('\t') + '\n',
  );
  await copyRows(client, 'oauth2_providers', PROVIDER_COLUMNS, rows, progress);
}

const APPLICATION_COLUMNS = [
  'id',
  'name',
  'slug',
  'provider_id',
  'meta_launch_url',
  'open_in_new_tab',
  'group',
  'policy_engine_mode',
];

async function copyApplications(client: PoolClient, plan: Plan, progress: ProgressCounter) {
  const rows = plan.applications.map(
    (a) =>
      [
        a.id,
        text(a.name),
        a.slug,
        plan.providers[a.provider]!.id,
        text(a.metaLaunchUrl),
        bool(a.openInNewTab),
        text(a.group),
        a.policyEngineMode,
      ].join('\t') + '\n',
  );
  await copyRows(client, 'applications', APPLICATION_COLUMNS, rows, progress);
}

async function linkBackchannelProviders(client: PoolClient, plan: Plan): Promise<void> {
  const links = plan.providers.filter((p) => p.backchannelOf !== null);
  if (links.length === 0) return;
  await client.query(
    `UPDATE oauth2_providers AS p SET backchannel_application_id = l.application_id
       FROM unnest($1::integer[], $2::uuid[]) AS l(provider_id, application_id)
      WHERE p.id = l.provider_id`,
    [links.map((p) => p.id), links.map((p) => plan.applications[p.backchannelOf!]!.id)],
  );
}

// ---------------------------------------------------------------------------------------------
// Grants
// ---------------------------------------------------------------------------------------------

interface GrantKind {
  table: GrantTable;
  count: number;
  digestColumn: 'code_digest' | 'token_digest';
  validity: (provider: PlannedProvider) => Validity;
  /** Longest delay between the user's authentication and the grant's creation. */
  maxAuthAgeMs: number;
  /** Scope choices for this kind. */
  scopes: WeightedScope[];
}

interface WeightedScope {
  weight: number;
  value: string;
}

/** Always `openid`; `offline_access` (refresh tokens) rarer than profile and email. */
const SCOPES: WeightedScope[] = [
  { weight: 45, value: 'openid profile email' },
  { weight: 10, value: 'openid email' },
  { weight: 8, value: 'openid profile' },
  { weight: 5, value: 'openid' },
  { weight: 25, value: 'openid profile email offline_access' },
  { weight: 4, value: 'openid email offline_access' },
  { weight: 2, value: 'openid profile offline_access' },
  { weight: 1, value: 'openid offline_access' },
];
/** Refresh tokens are only issued for offline_access. */
const OFFLINE_SCOPES = SCOPES.filter((scope) => scope.value.includes('offline_access'));
/** Expired grants expired at some point within this window before `now`. */
const EXPIRED_WINDOW_MS = 30 * DAY_MS;
const ACR = 'goauthentik.io/providers/oauth2/default';
const USER_EXPONENT = 1.0;
const PROVIDER_EXPONENT = 1.2;

function grantKinds(options: SeedOptions): GrantKind[] {
  return [
    {
      table: 'authorization_codes',
      count: options.codes,
      digestColumn: 'code_digest',
      validity: (p) => p.codeValidity,
      maxAuthAgeMs: 2 * 60_000,
      scopes: SCOPES,
    },
    {
      table: 'access_tokens',
      count: options.accessTokens,
      digestColumn: 'token_digest',
      validity: (p) => p.accessValidity,
      maxAuthAgeMs: DAY_MS,
      scopes: SCOPES,
    },
    {
      table: 'refresh_tokens',
      count: options.refreshTokens,
      digestColumn: 'token_digest',
      validity: (p) => p.refreshValidity,
      maxAuthAgeMs: DAY_MS,
      scopes: OFFLINE_SCOPES,
    },
  ];
}

const GRANT_COLUMNS = [
  'provider_id',
  'user_id',
  'expires',
  'expiring',
  'revoked',
  'scope',
  'auth_time',
  'nonce',
  'session_id',
  'created_at',
];

const CODE_COLUMNS = ['code_challenge', 'code_challenge_method'];
const TOKEN_COLUMNS = ['id_token'];

async function copyGrants(
  client: PoolClient,
  context: SeedContext,
  options: SeedOptions,
  plan: Plan,
  progress: ProgressCounter,
): Promise<Record<GrantTable, number>> {
  const expired = { authorization_codes: 0, access_tokens: 0, refresh_tokens: 0 };
  if (plan.users.length === 0 || plan.providers.length === 0) return expired;
  const random = new RandomStream(`${context.tag}:popularity`);
  const users = new ZipfSampler(plan.users.length, USER_EXPONENT, random);
  const providers = new ZipfSampler(plan.providers.length, PROVIDER_EXPONENT, random);
  const claims = new ClaimsCache(plan, context.installId);
  for (const kind of grantKinds(options)) {
    const generator = new GrantRows(context, options.expiredRatio, kind, plan, claims);
    const extra = kind.table === 'authorization_codes' ? CODE_COLUMNS : TOKEN_COLUMNS;
    const columns = [...GRANT_COLUMNS, kind.digestColumn, ...extra];
    await copyRows(client, kind.table, columns, generator.rows(users, providers), progress);
    expired[kind.table] = expiredCount(kind.count, options.expiredRatio);
  }
  return expired;
}

interface GrantTiming {
  createdMs: number;
  expiresMs: number;
  authTimeMs: number;
}

/** How many of `count` grants are generated already expired. */
function expiredCount(count: number, ratio: number): number {
  return Math.round(count * ratio);
}

/** Lazily generates the COPY rows of one grant table. */
class GrantRows {
  private readonly random: RandomStream;
  private readonly scopePicker: (random: RandomStream) => string;

  constructor(
    private readonly context: SeedContext,
    private readonly expiredRatio: number,
    private readonly kind: GrantKind,
    private readonly plan: Plan,
    private readonly claims: ClaimsCache,
  ) {
    this.random = new RandomStream(`${context.tag}:${kind.table}`);
    this.scopePicker = weightedPicker(kind.scopes);
  }

  *rows(users: ZipfSampler, providers: ZipfSampler): Generator<string> {
    const { count } = this.kind;
    // Selection sampling: exactly expiredCount() rows expire, spread randomly over the table.
    let expiredLeft = expiredCount(count, this.expiredRatio);
    for (let left = count; left > 0; left--) {
      const expired = this.random.float() * left < expiredLeft;
      if (expired) expiredLeft--;
      const user = this.plan.users[users.sample(this.random)]!;
      const provider = this.plan.providers[providers.sample(this.random)]!;
      yield this.row(user, provider, expired);
    }
  }

  private row(user: PlannedUser, provider: PlannedProvider, expired: boolean): string {
    const random = this.random;
    const timing = this.timing(provider, expired);
    const scope = this.scopePicker(random);
    const nonce = random.chance(0.8) ? random.encoded(16, 'base64url') : null;
    const sessionId = random.encoded(32, 'hex');
    // The value handed to the client; only its SHA-256 digest is stored.
    const value = random.encoded(32, 'base64url');
    // One-shot hash(): a Hash object per row costs more in garbage collection than in hashing.
    const digest = hash('sha256', value, 'hex');
    const common =
      `${provider.id}\t${user.id}\t${timestamp(timing.expiresMs)}\tt\tf\t${scope}\t` +
      `${timestamp(timing.authTimeMs)}\t${nonce ?? '\\N'}\t${sessionId}\t` +
      `${timestamp(timing.createdMs)}\t${bytea(digest)}`;
    if (this.kind.table === 'authorization_codes') return `${common}\t${this.pkce(provider)}\n`;
    const idToken = this.claims.idToken(user, provider, scope, timing, nonce, sessionId);
    return `${common}\t${text(idToken)}\n`;
  }

  /**
   * Unexpired grants were issued at most one validity period ago; expired ones expired within
   * the last 30 days. Either way the grant lived exactly its provider's validity.
   */
  private timing(provider: PlannedProvider, expired: boolean): GrantTiming {
    const validityMs = this.kind.validity(provider).seconds * 1000;
    const { nowMs } = this.context;
    const expiresMs = expired
      ? nowMs - 1000 - Math.floor(this.random.float() * EXPIRED_WINDOW_MS)
      : nowMs + 1000 + Math.floor(this.random.float() * (validityMs - 1000));
    const createdMs = expiresMs - validityMs;
    const authTimeMs = createdMs - Math.floor(this.random.float() * this.kind.maxAuthAgeMs);
    return { createdMs, expiresMs, authTimeMs };
  }

  /** PKCE: always for public clients, sometimes for confidential ones. */
  private pkce(provider: PlannedProvider): string {
    const random = this.random;
    if (provider.clientType === 'confidential' && !random.chance(0.3)) return '\\N\t\\N';
    const method = random.chance(0.95) ? 'S256' : 'plain';
    return `${random.encoded(32, 'base64url')}\t${method}`;
  }
}

function weightedPicker(choices: WeightedScope[]): (random: RandomStream) => string {
  const total = choices.reduce((sum, choice) => sum + choice.weight, 0);
  return (random) => {
    let target = random.float() * total;
    for (const choice of choices) {
      target -= choice.weight;
      if (target < 0) return choice.value;
    }
    return choices[choices.length - 1]!.value;
  };
}

interface UserClaims {
  /** hashed_user_id: authentik's `uid`, sha256("<id>-<install id>"). */
  uid: string;
  profile: string;
  email: string;
}

/**
 * The JSON fragments of each user's ID token claims, built on first use: grants concentrate on
 * few users, so most fragments are reused many times.
 */
class ClaimsCache {
  private readonly cache = new Map<number, UserClaims>();

  constructor(
    private readonly plan: Plan,
    private readonly installId: string,
  ) {}

  idToken(
    user: PlannedUser,
    provider: PlannedProvider,
    scope: string,
    timing: GrantTiming,
    nonce: string | null,
    sessionId: string,
  ): string {
    const claims = this.userClaims(user);
    let json =
      `{"iss":${JSON.stringify(provider.issuer)},"sub":${JSON.stringify(this.subject(user, claims, provider))}` +
      `,"aud":"${provider.clientId}","exp":${seconds(timing.expiresMs)},"iat":${seconds(timing.createdMs)}` +
      `,"auth_time":${seconds(timing.authTimeMs)},"acr":"${ACR}","amr":["pwd"],"sid":"${sessionId}"`;
    if (nonce !== null) json += `,"nonce":"${nonce}"`;
    if (scope.includes('email')) json += claims.email;
    if (scope.includes('profile')) json += claims.profile;
    return `${json}}`;
  }

  private subject(user: PlannedUser, claims: UserClaims, provider: PlannedProvider): string {
    switch (provider.subMode) {
      case 'user_id':
        return String(user.id);
      case 'user_uuid':
        return user.uuid;
      case 'user_username':
        return user.username;
      case 'user_email':
        return user.email;
      default:
        return claims.uid;
    }
  }

  private userClaims(user: PlannedUser): UserClaims {
    let claims = this.cache.get(user.id);
    if (claims) return claims;
    const groups = user.groups.map((group) => this.plan.groups[group]!.name);
    claims = {
      uid: hash('sha256', `${user.id}-${this.installId}`, 'hex'),
      email: `,"email":${JSON.stringify(user.email)},"email_verified":true`,
      profile:
        `,"name":${JSON.stringify(user.name)},"given_name":${JSON.stringify(user.name)}` +
        `,"preferred_username":${JSON.stringify(user.username)}` +
        `,"nickname":${JSON.stringify(user.username)},"groups":${JSON.stringify(groups)}`,
    };
    this.cache.set(user.id, claims);
    return claims;
  }
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
