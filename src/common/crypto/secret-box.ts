import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RuntimeConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 256-bit key of its own for each purpose: one leaked derived key opens nothing else. */
export function deriveKey(secretKey: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'grants-api', purpose, 32));
}

/**
 * AES-256-GCM: iv ‖ tag ‖ ciphertext. `context` (optional associated data) binds the sealed value
 * to what it belongs to, so that it cannot be moved to another row unnoticed.
 */
export function seal(key: Buffer, plaintext: string, context?: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Opens what `seal` sealed; throws when the key, the context or the bytes differ. */
export function open(key: Buffer, sealed: Buffer, context?: string): string {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
  return Buffer.concat([
    decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

/**
 * Keeps API token keys out of the database in clear: an HMAC finds a token by its key, and
 * AES-256-GCM lets an entitled caller read the key back. Both keys derive from SECRET_KEY.
 */
@Injectable()
export class SecretBox {
  private readonly lookupKey: Buffer;
  private readonly encryptionKey: Buffer;
  /** The key's digest per request object: gone with the request, never shared between two. */
  private readonly requestDigests = new WeakMap<object, { key: string; digest: Buffer }>();

  constructor(@Inject(APP_CONFIG) config: Pick<RuntimeConfig, 'secretKey'>) {
    this.lookupKey = deriveKey(config.secretKey, 'token-key lookup');
    this.encryptionKey = deriveKey(config.secretKey, 'token-key encryption');
  }

  digest(value: string): Buffer {
    return createHmac('sha256', this.lookupKey).update(value, 'utf8').digest();
  }

  /**
   * `digest(key)`, computed once for `request`: the rate limiter names the caller's budget by it
   * and the AuthGuard looks the token up by it.
   */
  digestFor(request: object, key: string): Buffer {
    const known = this.requestDigests.get(request);
    if (known?.key === key) return known.digest;
    const digest = this.digest(key);
    this.requestDigests.set(request, { key, digest });
    return digest;
  }

  encrypt(plaintext: string): Buffer {
    return seal(this.encryptionKey, plaintext);
  }

  decrypt(sealed: Buffer): string {
    return open(this.encryptionKey, sealed);
  }
}
