/**
 * README's "Give an auditor read access" walkthrough, step by step, with the bootstrap token only
 * (issue 4's definition of done). Each step is the request the README shows.
 */
import { startTestApp, type TestApp } from '../support/app.js';

const BOOTSTRAP = 'walkthrough-bootstrap-token';

describe('README walkthrough: an auditor who can read every authorization code', () => {
  let t: TestApp;
  const admin = { Authorization: `Bearer ${BOOTSTRAP}` };

  beforeAll(async () => {
    t = await startTestApp({ bootstrap: { token: BOOTSTRAP } });
  });
  afterAll(() => t.close());

  it('creates a role, its permission, a group, a user, a token and a provider', async () => {
    const role = await t.http
      .post('/api/v3/rbac/roles/')
      .set(admin)
      .send({ name: 'Code auditors' });
    expect(role.status).toBe(201);

    const assign = await t.http
      .post(`/api/v3/rbac/permissions/assigned_by_roles/${role.body.pk}/assign/`)
      .set(admin)
      .send({ permissions: ['authentik_providers_oauth2.view_authorizationcode'] });
    expect(assign.status).toBe(200);

    const group = await t.http
      .post('/api/v3/core/groups/')
      .set(admin)
      .send({ name: 'Auditors', roles: [role.body.pk] });
    expect(group.status).toBe(201);

    const user = await t.http
      .post('/api/v3/core/users/')
      .set(admin)
      .send({
        username: 'auditor',
        name: 'Audrey Auditor',
        email: 'audrey@example.com',
        groups: [group.body.pk],
      });
    expect(user.status).toBe(201);

    const token = await t.http
      .post('/api/v3/core/tokens/')
      .set(admin)
      .send({ identifier: 'auditor-api', intent: 'api', user: user.body.pk, expiring: false });
    expect(token.status).toBe(201);
    expect(typeof token.body.key).toBe('string');

    const provider = await t.http
      .post('/api/v3/providers/oauth2/')
      .set(admin)
      .send({ name: 'Grafana', redirect_uris: 'https://grafana.example.com/login/generic_oauth' });
    expect(provider.status).toBe(201);
    expect(provider.body.client_id).toHaveLength(40);

    // Someone else signs in to Grafana; the auditor sees that code, but not the provider's secret.
    const someone = await t.fixtures.user();
    const code = await t.fixtures.code({ user: someone, provider: provider.body.pk });
    const auditor = { Authorization: `Bearer ${token.body.key}` };
    const codes = await t.http.get('/api/v3/oauth2/authorization_codes/').set(auditor);
    expect(codes.status).toBe(200);
    expect(codes.body.results.map((row: { pk: number }) => row.pk)).toEqual([code]);
    expect(codes.body.results[0].provider.client_secret).toBe('');

    // Read-only: revoking it is refused.
    const revoke = await t.http.delete(`/api/v3/oauth2/authorization_codes/${code}/`).set(auditor);
    expect(revoke.status).toBe(403);
  });
});
