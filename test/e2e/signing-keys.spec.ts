import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type JsonWebKey,
} from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { calculateJwkThumbprint } from 'jose';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { jwkThumbprint } from '../../src/signing-keys/signing-key-material.js';
import {
  DEFAULT_KEY_PAIR_NAMES,
  SigningKeysService,
  type SigningJwk,
} from '../../src/signing-keys/signing-keys.service.js';
import { TEST_SECRET_KEY, startTestApp, testConfig, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/database.js';
import { capturedLines } from '../support/log-capture.js';
import { registerSecret } from '../support/secret-registry.js';
import { PRIVATE_JWK_MEMBERS, registerSigningKeys } from '../support/signing-keys.js';

interface PairRow {
  id: string;
  name: string;
  algorithm: string;
  public_jwk: JsonWebKey & { kid: string; alg: string; use: string };
  private_key: Buffer;
}

async function pairs(db: DataSource): Promise<PairRow[]> {
  return db.query(
    'SELECT id, name, algorithm, public_jwk, private_key FROM certificate_key_pairs ORDER BY name',
  );
}

const byAlgorithm = (rows: PairRow[], algorithm: string) =>
  rows.find((row) => row.algorithm === algorithm)!;

/** Signs with the private JWK and verifies with the stored public one, as a relying party would. */
function signsAndVerifies(privateJwk: SigningJwk, publicJwk: JsonWebKey): boolean {
  const data = Buffer.from('header.payload');
  const options = privateJwk.alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {};
  const signature = sign('sha256', data, {
    key: createPrivateKey({ key: privateJwk, format: 'jwk' }),
    ...options,
  });
  return verify(
    'sha256',
    data,
    { key: createPublicKey({ key: publicJwk, format: 'jwk' }), ...options },
    signature,
  );
}

/** Log lines (parsed) whose message contains `text`. */
const linesWith = (text: string) =>
  capturedLines
    .map((line) => JSON.parse(line) as { msg?: string; level: number })
    .filter((line) => line.msg?.includes(text));

describe('signing key pairs', () => {
  let t: TestApp;
  let keys: SigningKeysService;
  beforeAll(async () => {
    t = await startTestApp();
    keys = t.app.get(SigningKeysService);
    await registerSigningKeys(t.app);
  });
  afterAll(() => t.close());

  it('are created at first start: one RS256 (RSA 2048) and one ES256 (P-256) default', async () => {
    const rows = await pairs(t.database.dataSource);
    expect(rows.map(({ name, algorithm }) => ({ name, algorithm }))).toEqual([
      { name: DEFAULT_KEY_PAIR_NAMES.ES256, algorithm: 'ES256' },
      { name: DEFAULT_KEY_PAIR_NAMES.RS256, algorithm: 'RS256' },
    ]);
    const rsa = createPublicKey({ key: byAlgorithm(rows, 'RS256').public_jwk, format: 'jwk' });
    expect(rsa.asymmetricKeyType).toBe('rsa');
    expect(rsa.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const ec = createPublicKey({ key: byAlgorithm(rows, 'ES256').public_jwk, format: 'jwk' });
    expect(ec.asymmetricKeyType).toBe('ec');
    expect(ec.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('logs each created pair by name, algorithm and id (how an operator finds the id)', async () => {
    for (const row of await pairs(t.database.dataSource)) {
      const lines = linesWith(`"${row.name}"`);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.msg).toContain(row.id);
      expect(lines[0]!.msg).toContain(row.algorithm);
      expect(lines[0]!.level).toBe(30);
    }
  });

  it('stores only public members in public_jwk, with the RFC 7638 thumbprint as kid', async () => {
    for (const row of await pairs(t.database.dataSource)) {
      for (const member of PRIVATE_JWK_MEMBERS) expect(row.public_jwk).not.toHaveProperty(member);
      expect(row.public_jwk).toMatchObject({ alg: row.algorithm, use: 'sig' });
      // jose (oidc-provider's own JOSE library) as an independent oracle.
      expect(row.public_jwk.kid).toBe(await calculateJwkThumbprint(row.public_jwk as never));
      expect(jwkThumbprint(row.public_jwk)).toBe(row.public_jwk.kid);
    }
  });

  it('are not created again by later calls, one after another or at once', async () => {
    const db = t.database.dataSource;
    const before = await pairs(db);
    await keys.ensureDefaults();
    await Promise.all([keys.ensureDefaults(), keys.ensureDefaults()]);
    expect((await pairs(db)).map((row) => row.id)).toEqual(before.map((row) => row.id));

    // From an empty table, concurrent calls still create exactly one pair of defaults.
    await db.query('DELETE FROM certificate_key_pairs');
    await Promise.all([keys.ensureDefaults(), keys.ensureDefaults(), keys.ensureDefaults()]);
    await registerSigningKeys(t.app);
    const after = await pairs(db);
    expect(after.map((row) => row.name)).toEqual(before.map((row) => row.name));
    expect(after.map((row) => row.id)).not.toContain(before[0]!.id);
    await keys.ensureDefaults();
    expect((await pairs(db)).map((row) => row.id)).toEqual(after.map((row) => row.id));
  });

  it('signs with the private JWK what the stored public JWK verifies', async () => {
    const rows = await pairs(t.database.dataSource);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const jwk = await keys.signingJwk(row.id);
      expect(jwk).toMatchObject({ kid: row.public_jwk.kid, alg: row.algorithm, use: 'sig' });
      expect(typeof jwk.d).toBe('string');
      expect(signsAndVerifies(jwk, row.public_jwk)).toBe(true);
    }
    // A mismatched pair does not verify: the check above can fail.
    const es = await keys.signingJwk(byAlgorithm(rows, 'ES256').id);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(signsAndVerifies(es, publicKey.export({ format: 'jwk' }))).toBe(false);
  });

  it('stores the private key sealed: no private member appears in the bytea', async () => {
    for (const row of await pairs(t.database.dataSource)) {
      const jwk = await keys.signingJwk(row.id);
      const stored = row.private_key;
      expect(Buffer.isBuffer(stored)).toBe(true);
      for (const member of PRIVATE_JWK_MEMBERS) {
        const value = jwk[member];
        if (row.algorithm === 'ES256' && member !== 'd') continue;
        expect(typeof value).toBe('string');
        for (const form of [
          Buffer.from(value as string, 'utf8'),
          Buffer.from(value as string, 'base64url'),
        ]) {
          expect(stored.includes(form)).toBe(false);
        }
      }
      expect(stored.toString('utf8')).not.toContain('"kty"');
    }
  });

  it('returns the ES256 pair for a provider whose signing_key names it', async () => {
    const db = t.database.dataSource;
    const es = byAlgorithm(await pairs(db), 'ES256');
    const provider = await t.fixtures.provider();
    await db.query('UPDATE oauth2_providers SET signing_key = $1 WHERE id = $2', [es.id, provider]);
    const [{ signing_key: signingKey }] = await db.query(
      'SELECT signing_key FROM oauth2_providers WHERE id = $1',
      [provider],
    );
    const jwk = await keys.signingJwk(signingKey);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: es.public_jwk.kid });
    expect(signsAndVerifies(jwk, es.public_jwk)).toBe(true);
  });

  it('returns the default RS256 pair for no signing_key', async () => {
    const rs = byAlgorithm(await pairs(t.database.dataSource), 'RS256');
    await expect(keys.signingJwk(null)).resolves.toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      kid: rs.public_jwk.kid,
    });
  });

  it('returns the default RS256 pair for an unknown id, with a warning naming the id', async () => {
    const rs = byAlgorithm(await pairs(t.database.dataSource), 'RS256');
    const unknown = '0b6f1c1e-8f43-4c55-9d7e-2a4c3a1f9e10';
    await expect(keys.signingJwk(unknown)).resolves.toMatchObject({ kid: rs.public_jwk.kid });
    const warnings = linesWith(unknown);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.level).toBe(40);
    await expect(keys.signingJwk('not-a-uuid')).resolves.toMatchObject({
      kid: rs.public_jwk.kid,
    });
  });

  it('opens each private key once: later uses do not read the stored key again', async () => {
    const db = t.database.dataSource;
    const es = byAlgorithm(await pairs(db), 'ES256');
    const first = await keys.signingJwk(es.id);
    await db.query('UPDATE certificate_key_pairs SET private_key = $1 WHERE id = $2', [
      Buffer.from('damaged'),
      es.id,
    ]);
    try {
      await expect(keys.signingJwk(es.id)).resolves.toEqual(first);
      // A service that has not opened it yet does read it, and says clearly what is wrong.
      const fresh = new SigningKeysService(db, { secretKey: TEST_SECRET_KEY });
      await expect(fresh.signingJwk(es.id)).rejects.toThrow(/cannot be decrypted: SECRET_KEY/);
    } finally {
      await db.query('UPDATE certificate_key_pairs SET private_key = $1 WHERE id = $2', [
        es.private_key,
        es.id,
      ]);
    }
  });

  it('binds a sealed key to its pair: swapping private_key between rows is detected', async () => {
    const db = t.database.dataSource;
    const rows = await pairs(db);
    const rs = byAlgorithm(rows, 'RS256');
    const es = byAlgorithm(rows, 'ES256');
    await db.query('UPDATE certificate_key_pairs SET private_key = $1 WHERE id = $2', [
      rs.private_key,
      es.id,
    ]);
    try {
      const fresh = new SigningKeysService(db, { secretKey: TEST_SECRET_KEY });
      await expect(fresh.signingJwk(es.id)).rejects.toThrow(/cannot be decrypted/);
    } finally {
      await db.query('UPDATE certificate_key_pairs SET private_key = $1 WHERE id = $2', [
        es.private_key,
        es.id,
      ]);
    }
  });
});

const LIST = '/api/v3/crypto/certificatekeypairs/';
const VIEW = 'authentik_crypto.view_certificatekeypair';

describe('GET /api/v3/crypto/certificatekeypairs/', () => {
  let t: TestApp;
  let rows: PairRow[];
  beforeAll(async () => {
    t = await startTestApp();
    await registerSigningKeys(t.app);
    rows = await pairs(t.database.dataSource);
  });
  afterAll(() => t.close());

  it("lists the pairs as authentik's CertificateKeyPair, ordered by name, without key material", async () => {
    const admin = await t.fixtures.superCaller();
    const res = await t.http.get(LIST).set('Authorization', admin.auth);
    expect(res.status).toBe(200);
    expect(res.body.pagination).toMatchObject({ count: 2, current: 1, total_pages: 1 });
    const es = byAlgorithm(rows, 'ES256');
    const rs = byAlgorithm(rows, 'RS256');
    const item = (row: PairRow, type: string) => ({
      pk: row.id,
      name: row.name,
      fingerprint_sha256: null,
      fingerprint_sha1: null,
      cert_expiry: null,
      cert_subject: null,
      private_key_available: true,
      private_key_type: type,
      managed: null,
    });
    expect(res.body.results).toEqual([item(es, 'ellipticcurve'), item(rs, 'rsa')]);
    for (const member of PRIVATE_JWK_MEMBERS) {
      const jwk = await t.app.get(SigningKeysService).signingJwk(rs.id);
      expect(res.text).not.toContain(jwk[member] as string);
    }
  });

  it('filters by name and managed, searches names, orders and pages', async () => {
    const admin = await t.fixtures.superCaller();
    const get = async (query: Record<string, string>) => {
      const res = await t.http.get(LIST).query(query).set('Authorization', admin.auth);
      expect(res.status).toBe(200);
      return res.body.results.map((pair: { name: string }) => pair.name);
    };
    expect(await get({ name: DEFAULT_KEY_PAIR_NAMES.RS256 })).toEqual([
      DEFAULT_KEY_PAIR_NAMES.RS256,
    ]);
    expect(await get({ search: 'es256' })).toEqual([DEFAULT_KEY_PAIR_NAMES.ES256]);
    expect(await get({ managed: 'goauthentik.io/crypto/jwt-managed' })).toEqual([]);
    expect(await get({ ordering: '-name' })).toEqual([
      DEFAULT_KEY_PAIR_NAMES.RS256,
      DEFAULT_KEY_PAIR_NAMES.ES256,
    ]);
    expect(await get({ page_size: '1', page: '2' })).toEqual([DEFAULT_KEY_PAIR_NAMES.RS256]);
    expect(await get({ has_key: 'true' })).toHaveLength(2);
    const brief = await t.http
      .get(LIST)
      .query({ include_details: 'false' })
      .set('Authorization', admin.auth);
    expect(
      brief.body.results.map((pair: { private_key_type: unknown }) => pair.private_key_type),
    ).toEqual([null, null]);
  });

  it('shows callers only the pairs they may view, and refuses anonymous ones', async () => {
    const es = byAlgorithm(rows, 'ES256');
    const anonymous = await t.http.get(LIST);
    expect(anonymous.status).toBe(403);
    const plain = await t.fixtures.caller();
    const none = await t.http.get(LIST).set('Authorization', plain.auth);
    expect(none.status).toBe(200);
    expect(none.body.results).toEqual([]);
    const viewer = await t.fixtures.caller([VIEW]);
    const all = await t.http.get(LIST).set('Authorization', viewer.auth);
    expect(all.body.results).toHaveLength(2);
    const one = await t.fixtures.caller([[VIEW, es.id]]);
    const mine = await t.http.get(LIST).set('Authorization', one.auth);
    expect(mine.body.results.map((pair: { pk: string }) => pair.pk)).toEqual([es.id]);
  });

  it('is read-only, and hostile queries get no 500', async () => {
    const admin = await t.fixtures.superCaller();
    const post = await t.http.post(LIST).set('Authorization', admin.auth).send({ name: 'x' });
    expect(post.status).toBe(405);
    expect(post.body).toEqual({ detail: 'Method "POST" not allowed.' });
    for (const query of [
      { ordering: 'private_key' },
      { search: "%' OR 1=1 --" },
      { name: 'a\u0000b' },
      { page: '999' },
      { include_details: 'TRUE' },
    ]) {
      const res = await t.http.get(LIST).query(query).set('Authorization', admin.auth);
      expect(res.status).toBeLessThan(500);
    }
    expect((await pairs(t.database.dataSource)).map((row) => row.id).sort()).toEqual(
      rows.map((row) => row.id).sort(),
    );
  });
});

describe('signing key pairs, several instances and another SECRET_KEY', () => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('two instances starting together on a new database create exactly one pair of defaults', async () => {
    const database = await createTestDatabase();
    try {
      const started = await Promise.all(
        [0, 1].map(() => createApp(testConfig(database.url), { poolSize: 2 })),
      );
      apps.push(...started);
      const rows = await pairs(database.dataSource);
      expect(rows.map((row) => row.name)).toEqual([
        DEFAULT_KEY_PAIR_NAMES.ES256,
        DEFAULT_KEY_PAIR_NAMES.RS256,
      ]);
      // Both instances sign with the same keys.
      const [a, b] = started.map((app) => app.get(SigningKeysService));
      await registerSigningKeys(started[0]!);
      expect((await b!.signingJwk(null)).kid).toBe((await a!.signingJwk(null)).kid);

      // A restart with another SECRET_KEY stops with a message naming the problem.
      const otherKey = 'another-secret-key-that-is-long-enough-9876543210';
      registerSecret('SECRET_KEY', otherKey);
      const failure = await createApp(testConfig(database.url, { secretKey: otherKey }), {
        poolSize: 2,
      }).then(
        (app) => {
          apps.push(app);
          return undefined;
        },
        (error: unknown) => error as Error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect(failure!.message).toMatch(
        /^signing key pair "grants-api default (RS|ES)256" \([0-9a-f-]{36}\) cannot be decrypted: SECRET_KEY differs/,
      );
      expect(failure!.message).not.toMatch(/unable to authenticate|Unsupported state/i);
      // Nothing was replaced or added.
      expect((await pairs(database.dataSource)).map((row) => row.id).sort()).toEqual(
        rows.map((row) => row.id).sort(),
      );
    } finally {
      for (const app of apps.splice(0)) await app.close();
      await database.drop();
    }
  });
});
