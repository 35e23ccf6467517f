import { createHash, generateKeyPair, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';

export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** A JWK as published or as used to sign: always with its thumbprint `kid`, `alg` and `use`. */
export interface SigningJwk extends JsonWebKey {
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
}

export interface GeneratedKeyPair {
  publicJwk: SigningJwk;
  privateJwk: SigningJwk;
}

const generate = promisify(generateKeyPair);

/** RFC 7638 §3.2: the required members of each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a key (public or private: only public members count),
 * base64url-encoded. Members are base64url strings and names, so JSON.stringify's escaping is the
 * canonical form the RFC asks for.
 */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty ? THUMBPRINT_MEMBERS[jwk.kty] : undefined;
  if (!members) throw new Error(`no thumbprint for key type ${String(jwk.kty)}`);
  const canonical = `{${members
    .map((member) => {
      const value = (jwk as Record<string, unknown>)[member];
      if (typeof value !== 'string') throw new Error(`JWK member "${member}" is missing`);
      return `${JSON.stringify(member)}:${JSON.stringify(value)}`;
    })
    .join(',')}}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/** A fresh pair: RSA 2048 for RS256, P-256 for ES256 (generated off the main thread). */
export async function generateSigningKeyPair(
  algorithm: SigningAlgorithm,
): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } =
    algorithm === 'RS256'
      ? await generate('rsa', { modulusLength: 2048 })
      : await generate('ec', { namedCurve: 'P-256' });
  const publicPart = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(publicPart);
  const labels = { kid, alg: algorithm, use: 'sig' as const };
  return {
    publicJwk: { ...publicPart, ...labels },
    privateJwk: { ...privateKey.export({ format: 'jwk' }), ...labels },
  };
}
