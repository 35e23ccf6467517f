/** Contract §6: every error is a JSON body of the contract's shapes, never HTML or a stack trace. */
import { startTestApp, type TestApp } from '../support/app.js';

describe('error bodies (§6)', () => {
  let t: TestApp;
  let auth: string;
  beforeAll(async () => {
    t = await startTestApp();
    auth = (await t.fixtures.superCaller()).auth;
  });
  afterAll(() => t.close());

  const expectJsonError = (
    res: { status: number; headers: Record<string, string>; text: string },
    status: number,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).not.toMatch(/at \w+ \(|node_modules|<html/i);
  };

  it.each(['/nope', '/api/v3/nope/', '/api/v3/oauth2/authorization_codes/1/used_by/extra/'])(
    'answers the unknown route %s with 404 {"detail": "Not found."}',
    async (path) => {
      const res = await t.http.get(path).set('Authorization', auth);
      expectJsonError(res, 404);
      expect(res.body).toEqual({ detail: 'Not found.' });
    },
  );

  it('answers a malformed percent-encoding in the path with a JSON 400', async () => {
    const res = await t.http
      .get('/api/v3/oauth2/authorization_codes/%E0%A4%A/')
      .set('Authorization', auth);
    expectJsonError(res, 400);
    expect(res.body).toHaveProperty('detail');
  });

  it('answers a malformed percent-encoding in the query as plain text, not an error', async () => {
    const res = await t.http
      .get('/api/v3/oauth2/authorization_codes/?search=%E0%A4%A')
      .set('Authorization', auth);
    expect(res.status).toBe(200);
  });

  it('answers a malformed JSON body with a JSON 400', async () => {
    const res = await t.http
      .delete('/api/v3/oauth2/authorization_codes/1/')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send('{"broken');
    expectJsonError(res, 400);
  });

  it('answers an oversized body with a JSON 413', async () => {
    const res = await t.http
      .post('/api/v3/oauth2/authorization_codes/')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send(`"${'a'.repeat(2_000_000)}"`);
    expectJsonError(res, 413);
  });

  it('answers object-shaped query parameters as if they were absent', async () => {
    const res = await t.http
      .get('/api/v3/oauth2/authorization_codes/?user[a]=1&search[x]=y&page[0]=2')
      .set('Authorization', auth);
    expect(res.status).toBe(200);
  });

  it('forbids caching of API answers, errors included', async () => {
    for (const res of [
      await t.http.get('/api/v3/oauth2/authorization_codes/').set('Authorization', auth),
      await t.http.get('/api/v3/oauth2/authorization_codes/'),
    ]) {
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('does not advertise the framework, and echoes a request id', async () => {
    const res = await t.http.get('/-/health/live/').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('abc-123');
    const generated = await t.http.get('/-/health/live/').set('X-Request-Id', 'not a valid id!');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('hostile path parameters', () => {
  let t: TestApp;
  let auth: string;
  beforeAll(async () => {
    t = await startTestApp();
    auth = (await t.fixtures.superCaller()).auth;
  });
  afterAll(() => t.close());

  it.each([
    '/api/v3/core/tokens/a%00b/',
    '/api/v3/core/applications/a%00b/',
    '/api/v3/core/users/a%00b/',
    '/api/v3/core/groups/a%00b/',
    '/api/v3/rbac/roles/a%00b/',
    '/api/v3/providers/oauth2/a%00b/',
    "/api/v3/core/groups/'%20OR%201=1--/",
  ])('answers %s with a contract 4xx, never a 500', async (path) => {
    for (const res of [
      await t.http.get(path).set('Authorization', auth),
      await t.http.delete(path).set('Authorization', auth),
    ]) {
      expect([400, 404]).toContain(res.status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toHaveProperty('detail');
    }
  });
});
