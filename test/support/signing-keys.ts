import type { INestApplication } from '@nestjs/common';
import {
  SigningKeysService,
  type SigningJwk,
} from '../../src/signing-keys/signing-keys.service.js';
import { registerSecret } from './secret-registry.js';

/** The members of a private JWK that are private (RSA's CRT values included). */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

export function registerPrivateJwk(jwk: SigningJwk): void {
  for (const member of PRIVATE_JWK_MEMBERS) {
    registerSecret(`signing key ${member}`, jwk[member] as string | undefined);
  }
}

/**
 * Registers the private material of every key pair an app's database holds, so that the log
 * capture fails a spec whose logs show any of it.
 */
export async function registerSigningKeys(app: INestApplication): Promise<SigningJwk[]> {
  const keys = app.get(SigningKeysService);
  const jwks: SigningJwk[] = [];
  for (const pair of await keys.list()) {
    const jwk = await keys.signingJwk(pair.id);
    registerPrivateJwk(jwk);
    jwks.push(jwk);
  }
  return jwks;
}
