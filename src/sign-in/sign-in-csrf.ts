import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import Tokens from 'csrf';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/**
 * The sign-in form's CSRF tokens (pillarjs `csrf`: a fresh salted token per rendering). Their
 * secret is not stored anywhere: it is an HMAC of the interaction uid under a key derived from
 * SECRET_KEY. So a token is valid for one interaction only, and only the browser holding that
 * interaction (oidc-provider's signed `_interaction` cookie, which the page also requires) can
 * ever be shown one. No cookie of our own to lose between GET and POST, and every instance
 * sharing SECRET_KEY accepts the tokens of the others.
 */
@Injectable()
export class SignInCsrf {
  private readonly tokens = new Tokens();
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: Pick<RuntimeConfig, 'secretKey'>) {
    this.key = Buffer.from(hkdfSync('sha256', config.secretKey, 'grants-api', 'sign-in csrf', 32));
  }

  create(uid: string): string {
    return this.tokens.create(this.secretOf(uid));
  }

  /** False for anything but a token made for this uid (missing, an array, another uid's). */
  verify(uid: string, token: unknown): boolean {
    return typeof token === 'string' && this.tokens.verify(this.secretOf(uid), token);
  }

  private secretOf(uid: string): string {
    return createHmac('sha256', this.key).update(uid, 'utf8').digest('base64url');
  }
}
