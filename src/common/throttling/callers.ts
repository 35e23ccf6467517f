import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RuntimeConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { bearerKey } from '../auth/auth.guard.js';
import { SecretBox } from '../crypto/secret-box.js';
import { clientAddressReader } from './client-address.js';

/**
 * Whose budget a request spends, known without a query: a presented API key's (named by a hash of
 * its lookup digest, never the key), or the client address's for anonymous callers. Keys that
 * open nothing are charged to the address too, by the AuthGuard once it knows (see
 * AuthenticationFailures), so a flood of made-up keys is limited like an anonymous flood.
 */
export type Caller = { kind: 'token'; bucket: string } | { kind: 'address'; address: string };

@Injectable()
export class CallerResolver {
  readonly clientAddress: (request: object) => string;

  constructor(
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) config: RuntimeConfig,
  ) {
    this.clientAddress = clientAddressReader(config.trustProxy);
  }

  identify(request: { headers: Record<string, string | string[] | undefined> }): Caller {
    const key = bearerKey(request.headers.authorization);
    if (key === undefined) return { kind: 'address', address: this.clientAddress(request) };
    // The digest the token table is searched by is keyed with SECRET_KEY; hashing it once more
    // keeps even that out of the store.
    const bucket = createHash('sha256')
      .update(this.secrets.digestFor(request, key))
      .digest('base64url')
      .slice(0, 22);
    return { kind: 'token', bucket };
  }
}
