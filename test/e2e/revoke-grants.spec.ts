/** POST /api/v3/oauth2/revoke_grants/: "log out all devices" (issue 5). */
import { Permissions } from '../../src/common/auth/permissions.js';
import { ACCESS_TOKENS } from '../../src/access-tokens/access-tokens.kind.js';
import { REFRESH_TOKENS } from '../../src/refresh-tokens/refresh-tokens.kind.js';
import { startTestApp, type TestApp } from '../support/app.js';

const REVOKE = '/api/v3/oauth2/revoke_grants/';

describe('revoke_grants', () => {
  let t: TestApp;
  let providers: number[];

  beforeAll(async () => {
    t = await startTestApp();
    providers = [await t.fixtures.provider(), await t.fixtures.provider()];
  });
  afterAll(() => t.close());

  /** A user with 2 codes, 3 access tokens and 4 refresh tokens spread over both providers. */
  async function userWithGrants(): Promise<number> {
    const user = await t.fixtures.user();
    for (let i = 0; i < 2; i++) await t.fixtures.code({ user, provider: providers[i % 2]! });
    for (let i = 0; i < 3; i++)
      await t.fixtures.grant(ACCESS_TOKENS, { user, provider: providers[i % 2]! });
    for (let i = 0; i < 4; i++)
      await t.fixtures.grant(REFRESH_TOKENS, { user, provider: providers[i % 2]! });
    return user;
  }

  const state = async (user: number) => {
    const [row] = await t.fixtures.db.query(
      `SELECT (SELECT count(*)::int FROM authorization_codes WHERE user_id = $1) AS codes,
              (SELECT count(*)::int FROM access_tokens WHERE user_id = $1) AS access,
              (SELECT count(*)::int FROM refresh_tokens WHERE user_id = $1) AS refresh,
              (SELECT count(*)::int FROM refresh_tokens WHERE user_id = $1 AND revoked
                 AND revoked_at IS NOT NULL) AS revoked`,
      [user],
    );
    return row;
  };

  it('lets a user revoke their own grants, and is idempotent', async () => {
    const user = await userWithGrants();
    const auth = `Bearer ${await t.fixtures.apiToken(user)}`;
    const first = await t.http.post(REVOKE).set('Authorization', auth).send({ user });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ authorization_codes: 2, access_tokens: 3, refresh_tokens: 4 });
    expect(await state(user)).toEqual({ codes: 0, access: 0, refresh: 4, revoked: 4 });
    const second = await t.http.post(REVOKE).set('Authorization', auth).send({ user });
    expect(second.body).toEqual({ authorization_codes: 0, access_tokens: 0, refresh_tokens: 0 });
  });

  it('limits the revocation to one provider when asked', async () => {
    const user = await userWithGrants();
    const admin = await t.fixtures.superCaller();
    const res = await t.http
      .post(REVOKE)
      .set('Authorization', admin.auth)
      .send({ user, provider: providers[0] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ authorization_codes: 1, access_tokens: 2, refresh_tokens: 2 });
    expect(await state(user)).toEqual({ codes: 1, access: 1, refresh: 4, revoked: 2 });
  });

  it('shows revoked refresh tokens as revoked in their list', async () => {
    const user = await userWithGrants();
    const auth = `Bearer ${await t.fixtures.apiToken(user)}`;
    await t.http.post(REVOKE).set('Authorization', auth).send({ user });
    const list = await t.http.get('/api/v3/oauth2/refresh_tokens/').set('Authorization', auth);
    expect(list.body.results.map((r: { revoked: boolean }) => r.revoked)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    const codes = await t.http
      .get('/api/v3/oauth2/authorization_codes/')
      .set('Authorization', auth);
    expect(codes.body.pagination.count).toBe(0);
  });

  it("lets a holder of the three delete permissions revoke anyone's grants", async () => {
    const user = await userWithGrants();
    const revoker = await t.fixtures.caller([
      Permissions.deleteAuthorizationCode,
      Permissions.deleteAccessToken,
      Permissions.deleteRefreshToken,
    ]);
    const res = await t.http.post(REVOKE).set('Authorization', revoker.auth).send({ user });
    expect(res.status).toBe(200);
    expect(res.body.access_tokens).toBe(3);
  });

  it('refuses a holder of only some delete permissions, and touches nothing', async () => {
    const user = await userWithGrants();
    const partial = await t.fixtures.caller([
      Permissions.deleteAuthorizationCode,
      Permissions.deleteAccessToken,
    ]);
    const res = await t.http.post(REVOKE).set('Authorization', partial.auth).send({ user });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect(await state(user)).toEqual({ codes: 2, access: 3, refresh: 4, revoked: 0 });
  });

  it("answers 403 for someone else's grants before revealing whether the user exists", async () => {
    const caller = await t.fixtures.caller();
    for (const user of [await t.fixtures.user(), 987654]) {
      const res = await t.http.post(REVOKE).set('Authorization', caller.auth).send({ user });
      expect(res.status).toBe(403);
    }
  });

  it('refuses anonymous callers', async () => {
    const res = await t.http.post(REVOKE).send({ user: 1 });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it.each([
    [{}, { user: ['This field is required.'] }],
    [{ user: 'abc' }, { user: ['A valid integer is required.'] }],
    [{ user: 1.5 }, { user: ['A valid integer is required.'] }],
    [{ user: 99999999999 }, { user: ['A valid integer is required.'] }],
  ])('validates the body %j', async (body, expected) => {
    const admin = await t.fixtures.superCaller();
    const res = await t.http.post(REVOKE).set('Authorization', admin.auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
  });

  it('answers unknown users and providers with 400s naming the fields', async () => {
    const admin = await t.fixtures.superCaller();
    const res = await t.http
      .post(REVOKE)
      .set('Authorization', admin.auth)
      .send({ user: 987654, provider: 876543 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      user: ['Invalid pk "987654" - object does not exist.'],
      provider: ['Invalid pk "876543" - object does not exist.'],
    });
  });

  it('answers a non-object body with non_field_errors', async () => {
    const admin = await t.fixtures.superCaller();
    const res = await t.http
      .post(REVOKE)
      .set('Authorization', admin.auth)
      .set('Content-Type', 'application/json')
      .send('[1, 2]');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
  });

  it('answers other methods with 405', async () => {
    const admin = await t.fixtures.superCaller();
    const res = await t.http.get(REVOKE).set('Authorization', admin.auth);
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: 'Method "GET" not allowed.' });
  });
});
