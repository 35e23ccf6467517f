import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  generateSigningKeyPair,
  jwkThumbprint,
} from '../../src/signing-keys/signing-key-material.js';
import { registerPrivateJwk } from '../support/signing-keys.js';

describe('jwkThumbprint', () => {
  it("gives RFC 7638 §3.1's example thumbprint", () => {
    const jwk = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPe' +
        'bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY' +
        '368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f' +
        'M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('ignores members outside the required ones, and refuses incomplete or unknown keys', () => {
    const base = { kty: 'EC', crv: 'P-256', x: 'abc', y: 'def' };
    expect(jwkThumbprint({ ...base, kid: 'x', use: 'sig', d: 'secret-value' })).toBe(
      jwkThumbprint(base),
    );
    expect(jwkThumbprint(base)).not.toBe(jwkThumbprint({ ...base, y: 'deg' }));
    expect(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' })).toThrow(/"y"/);
    expect(() => jwkThumbprint({ kty: 'oct', k: 'abc' })).toThrow(/key type oct/);
  });
});

describe('generateSigningKeyPair', () => {
  it.each([
    ['RS256', 'rsa', { modulusLength: 2048 }],
    ['ES256', 'ec', { namedCurve: 'prime256v1' }],
  ] as const)('makes a %s pair whose halves belong together', async (alg, type, details) => {
    const { publicJwk, privateJwk } = await generateSigningKeyPair(alg);
    registerPrivateJwk(privateJwk);
    expect(publicJwk).toMatchObject({ alg, use: 'sig', kid: jwkThumbprint(publicJwk) });
    expect(privateJwk).toMatchObject({ alg, use: 'sig', kid: publicJwk.kid });
    expect(publicJwk).not.toHaveProperty('d');
    const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
    expect(privateKey.asymmetricKeyType).toBe(type);
    expect(privateKey.asymmetricKeyDetails).toMatchObject(details);
    // The public key derived from the private one is the published one.
    const derived = createPublicKey(privateKey).export({ format: 'jwk' });
    expect(jwkThumbprint(derived)).toBe(publicJwk.kid);
  });

  it('makes a new key every time', async () => {
    const [a, b] = await Promise.all([
      generateSigningKeyPair('ES256'),
      generateSigningKeyPair('ES256'),
    ]);
    registerPrivateJwk(a.privateJwk);
    registerPrivateJwk(b.privateJwk);
    expect(a.publicJwk.kid).not.toBe(b.publicJwk.kid);
  });
});
