/**
 * Issue 9, "Prove it": Swagger UI at /api/v3/docs/ in a real browser. Authorize with an API token
 * (the bearer scheme `authentik`), run the authorization codes list with "Try it out", and see a
 * 200 with the seeded code among the results. On the adapter the suite runs on (TEST_HTTP_ADAPTER).
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { listen } from '../support/oidc-client.js';
import { launchBrowser, screenshot, type TestBrowser } from './browser.js';

describe('Swagger UI in Chromium', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let origin: string;

  beforeAll(async () => {
    t = await startTestApp();
    origin = await listen(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('authorizes with an API token and lists authorization codes with "Try it out"', async () => {
    const admin = await t.fixtures.superCaller();
    const user = await t.fixtures.user();
    const provider = await t.fixtures.provider();
    const code = await t.fixtures.code({ user, provider });
    const { page } = browser;

    // Every request the page makes to the list, to check what Swagger UI actually sent.
    const listRequests: { url: string; authorization?: string }[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/v3/oauth2/authorization_codes/') {
        listRequests.push({ url: request.url(), authorization: request.headers().authorization });
      }
    });

    const response = await page.goto(`${origin}/api/v3/docs/`);
    expect(response?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: /^authentik / }).waitFor();

    // Swagger UI's modal is a plain <div> (no dialog role): find it by its heading.
    await page.getByRole('button', { name: 'Authorize', exact: true }).click();
    const modal = page
      .locator('.modal-ux')
      .filter({ has: page.getByRole('heading', { name: 'Available authorizations' }) });
    await modal.getByRole('heading', { name: 'authentik (http, Bearer)' }).waitFor();
    // The http bearer scheme takes the bare key: Swagger UI adds "Bearer " itself.
    await modal.getByRole('textbox').fill(admin.auth.slice('Bearer '.length));
    await modal.getByRole('button', { name: 'Apply credentials' }).click();
    await modal.getByRole('heading', { name: 'Authorized' }).waitFor();
    await modal.getByRole('button', { name: 'Close', exact: true }).click();
    await modal.waitFor({ state: 'hidden' });

    const operation = page.locator('#operations-oauth2-oauth2_authorization_codes_list');
    await operation
      .getByRole('button', { name: 'GET /oauth2/authorization_codes/', exact: true })
      .click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();

    const served = operation.locator('.live-responses-table tbody tr.response');
    await served.waitFor();
    expect(await served.locator('.response-col_status').innerText()).toBe('200');
    const body = JSON.parse(
      await served.locator('.response-col_description .highlight-code code').innerText(),
    );
    expect(body.pagination.count).toBe(1);
    expect(body.results.map((r: { pk: number }) => r.pk)).toEqual([code]);
    expect(body.results[0].user.pk).toBe(user);

    expect(listRequests).toHaveLength(1);
    expect(new URL(listRequests[0]!.url).origin).toBe(origin);
    expect(listRequests[0]!.authorization).toBe(admin.auth);

    await screenshot(operation, 'swagger-ui-authorization-codes');
  });
});
