import { startTestApp, type TestApp } from '../support/app.js';

describe('health probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness with 200', async () => {
    const res = await t.http.get('/-/health/live/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers readiness with 200 while the database answers', async () => {
    const res = await t.http.get('/-/health/ready/');
    expect(res.status).toBe(200);
  });

  it('answers readiness with 503 and the contract body once the database is gone', async () => {
    await t.database.dataSource.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await t.database.dataSource.destroy();
    // Dropping the database makes every new connection fail.
    await t.database.drop();
    const res = await t.http.get('/-/health/ready/');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ detail: 'Service temporarily unavailable.' });
  });
});
