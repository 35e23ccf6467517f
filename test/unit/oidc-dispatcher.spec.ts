import type { RuntimeConfig } from '../../src/config/config.js';
import { OidcDispatcher } from '../../src/oidc/oidc-dispatcher.js';
import type { OidcEngine } from '../../src/oidc/oidc-engine.js';

const dispatcher = new OidcDispatcher({} as OidcEngine, { trustProxy: false } as RuntimeConfig);

describe('OidcDispatcher.route (which instance a request goes to)', () => {
  it.each([
    ['/application/o/authorize/?client_id=a', { by: 'client_id' }],
    ['/application/o/authorize', { by: 'client_id' }],
    ['/application/o/authorize/Abc_-123', { by: 'interaction', uid: 'Abc_-123' }],
    ['/application/o/token/', { by: 'client_id' }],
    ['/APPLICATION/O/TOKEN', { by: 'client_id' }],
    ['/application/o/revoke/', { by: 'client_id' }],
    ['/application/o/introspect/', { by: 'client_id' }],
    ['/application/o/userinfo/', { by: 'access_token' }],
    [
      '/application/o/my-app/.well-known/openid-configuration',
      { by: 'slug', slug: 'my-app', discovery: true },
    ],
    ['/application/o/my-app/jwks/', { by: 'slug', slug: 'my-app', discovery: false }],
    ['/application/o/my-app/end-session/', { by: 'slug', slug: 'my-app', discovery: false }],
    ['/application/o/my-app/end-session/confirm', { by: 'slug', slug: 'my-app', discovery: false }],
  ])('routes %s', (url, route) => {
    expect(dispatcher.route(url)).toMatchObject(route);
  });

  it('names the methods each route takes', () => {
    expect(dispatcher.route('/application/o/authorize/')?.methods).toEqual(['GET', 'HEAD']);
    expect(dispatcher.route('/application/o/token/')?.methods).toEqual(['POST', 'OPTIONS']);
    expect(dispatcher.route('/application/o/userinfo/')?.methods).toContain('POST');
    expect(dispatcher.route('/application/o/a/end-session/confirm')?.methods).toEqual(['POST']);
  });

  it.each([
    '/application/o/',
    '/application/o/my-app/',
    '/application/o/my-app/unknown/',
    '/application/o/a/b/jwks/',
    '/api/v3/oauth2/authorization_codes/',
    '/if/flow/sign-in/abc/',
    undefined,
  ])('leaves %s to the application', (url) => {
    expect(dispatcher.route(url)).toBeUndefined();
  });
});
