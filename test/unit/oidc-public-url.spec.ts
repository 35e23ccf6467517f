import { ConfigError, loadConfig } from '../../src/config/config.js';
import { issuerOf } from '../../src/oidc/oidc-engine.js';

describe('PUBLIC_URL and the issuers built on it', () => {
  it('is optional, and read without its trailing slash', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: '' }).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://sso.example.com/' }).publicUrl).toBe(
      'https://sso.example.com',
    );
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:9000' }).publicUrl).toBe(
      'http://10.0.0.5:9000',
    );
  });

  it.each([
    'sso.example.com',
    'ftp://sso.example.com',
    'https://sso.example.com/sub/path',
    'https://a b',
  ])('refuses %j, naming the variable', (value) => {
    expect(() => loadConfig({ PUBLIC_URL: value })).toThrow(ConfigError);
    expect(() => loadConfig({ PUBLIC_URL: value })).toThrow(/PUBLIC_URL/);
  });

  it('gives per_provider issuers the slug and global ones the shared path', () => {
    const base = 'https://sso.example.com';
    expect(issuerOf({ issuerMode: 'per_provider', slug: 'wiki' }, base)).toBe(
      'https://sso.example.com/application/o/wiki/',
    );
    expect(issuerOf({ issuerMode: 'global', slug: 'wiki' }, base)).toBe(
      'https://sso.example.com/application/o/',
    );
  });
});
