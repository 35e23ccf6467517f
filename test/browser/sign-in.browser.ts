/**
 * Issue 9, "Prove it": a real browser signs in through the sign-in page and lands on the client's
 * redirect URI with a code. The authorization request is openid-client's (code flow, PKCE S256,
 * state and nonce) for a confidential provider + application; the redirect URI is a local server
 * standing in for the client application, and openid-client then redeems the code the browser
 * brought back. On the adapter the suite runs on (TEST_HTTP_ADAPTER).
 */
import { startTestApp, type TestApp } from '../support/app.js';
import {
  authorizationUrl,
  client,
  createOidcApplication,
  createSignInUser,
  listen,
  pkce,
  relyingParty,
  type OidcApplication,
  type Pkce,
  type SignInUser,
} from '../support/oidc-client.js';
import { registerSecret } from '../support/secret-registry.js';
import { launchBrowser, screenshot, type TestBrowser } from './browser.js';
import { startRedirectTarget, type RedirectTarget } from './redirect-target.js';

const SIGN_IN_PATH = /^\/if\/flow\/sign-in\/[^/]+\/$/;
const CODES = '/api/v3/oauth2/authorization_codes/';

describe('signing in through the page in Chromium', () => {
  let t: TestApp;
  let origin: string;
  let target: RedirectTarget;
  let admin: { id: number; auth: string };
  let application: OidcApplication;
  let applicationName: string;
  let rp: client.Configuration;
  let user: SignInUser;
  let browser: TestBrowser;

  beforeAll(async () => {
    t = await startTestApp();
    origin = await listen(t);
    target = await startRedirectTarget();
    admin = await t.fixtures.superCaller();
    application = await createOidcApplication(t, {
      clientType: 'confidential',
      redirectUris: target.redirectUri,
    });
    [{ name: applicationName }] = await t.fixtures.db.query(
      'SELECT name FROM applications WHERE slug = $1',
      [application.slug],
    );
    rp = await relyingParty(application, origin, 'basic');
    user = await createSignInUser(t);
  });
  afterAll(async () => {
    await target?.close();
    await t?.close();
  });

  beforeEach(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await browser?.close();
  });

  /** How many authorization codes the admin API lists for the user with this client. */
  async function listedCodes(): Promise<number> {
    const res = await t.http
      .get(CODES)
      .query({ user: String(user.id), provider: String(application.providerId) })
      .set('Authorization', admin.auth);
    expect(res.status).toBe(200);
    return res.body.pagination.count;
  }

  /** Opens a fresh authorization request; the engine sends the browser on to the sign-in page. */
  async function openSignInPage(): Promise<Pkce> {
    const checks = await pkce();
    registerSecret('PKCE code verifier', checks.verifier);
    const { page } = browser;
    await page.goto(authorizationUrl(rp, application, checks).href);
    expect(new URL(page.url()).origin).toBe(origin);
    expect(new URL(page.url()).pathname).toMatch(SIGN_IN_PATH);
    // Read rather than waited for: a wrong page fails here with its own heading.
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(
      `Sign in to ${applicationName}`,
    );
    return checks;
  }

  async function submit(username: string, password: string) {
    const { page } = browser;
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /** Submits the right credentials; the URL the client's server was then sent to. */
  async function signInAndLand(): Promise<URL> {
    const callback = target.nextRequest();
    await submit(user.username, user.password);
    const received = await callback;
    registerSecret('authorization code', received.searchParams.get('code'));
    return received;
  }

  it('signs in and lands on the redirect URI with a code and the same state', async () => {
    const checks = await openSignInPage();
    const { page } = browser;
    await screenshot(page, 'sign-in-page');
    const codesBefore = await listedCodes();

    const received = await signInAndLand();
    expect(`${received.origin}${received.pathname}`).toBe(application.redirectUri);
    expect(received.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
    expect(received.searchParams.get('state')).toBe(checks.state);
    expect(received.searchParams.has('error')).toBe(false);

    // The browser followed the redirects to the client and shows its answer.
    await page.waitForURL((url) => url.href === received.href);
    expect(await page.locator('body').innerText()).toBe('ok');
    await screenshot(page, 'sign-in-landed');

    // The sign-in is recorded, and the code is listed for this user and client until redeemed.
    const [row] = await t.fixtures.db.query('SELECT last_login FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(row.last_login).not.toBeNull();
    expect(await listedCodes()).toBe(codesBefore + 1);

    // The client redeems it: openid-client checks state, PKCE, and the ID token (signature
    // against our JWKS, issuer, audience, nonce).
    const tokens = await client.authorizationCodeGrant(rp, received, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    registerSecret('access token', tokens.access_token);
    registerSecret('refresh token', tokens.refresh_token);
    registerSecret('ID token', tokens.id_token);
    expect(tokens.claims()).toEqual(
      expect.objectContaining({ aud: application.clientId, nonce: checks.nonce }),
    );
    expect(await listedCodes()).toBe(codesBefore);
  });

  it('shows a wrong password in an alert and stays on the page; the right one then works', async () => {
    const checks = await openSignInPage();
    const { page } = browser;
    const signInUrl = page.url();
    const requestsBefore = target.received.length;

    await submit(user.username, 'not the password');
    const alert = page.getByRole('alert');
    expect((await alert.innerText()).trim()).toBe('Invalid username or password.');
    expect(page.url()).toBe(signInUrl);
    // The username is kept, the password is not; the fields point at the message.
    const username = page.getByLabel('Username', { exact: true });
    const password = page.getByLabel('Password', { exact: true });
    expect(await username.inputValue()).toBe(user.username);
    expect(await password.inputValue()).toBe('');
    expect(await password.getAttribute('aria-describedby')).toBe(await alert.getAttribute('id'));
    expect(target.received.length).toBe(requestsBefore);
    await screenshot(page, 'sign-in-wrong-password');

    const received = await signInAndLand();
    expect(received.searchParams.get('state')).toBe(checks.state);
    expect(received.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
  });
});
