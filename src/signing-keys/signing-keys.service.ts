import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { deriveKey, open, seal } from '../common/crypto/secret-box.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { CertificateKeyPair } from './certificate-key-pair.entity.js';
import {
  SIGNING_ALGORITHMS,
  generateSigningKeyPair,
  type SigningAlgorithm,
  type SigningJwk,
} from './signing-key-material.js';

export type { SigningAlgorithm, SigningJwk } from './signing-key-material.js';

/** The install's default pairs, created at first start. */
export const DEFAULT_KEY_PAIR_NAMES: Record<SigningAlgorithm, string> = {
  RS256: 'grants-api default RS256',
  ES256: 'grants-api default ES256',
};

const LOCK_KEY = 'grants-api:signing-keys';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Unknown ids are warned about once each; bounded, in case something cycles through many. */
const MAX_WARNED_IDS = 1000;

/** The stored private key cannot be opened: almost always another SECRET_KEY than at creation. */
export class SigningKeyUnreadableError extends Error {
  constructor(pair: Pick<CertificateKeyPair, 'id' | 'name'>) {
    super(
      `signing key pair "${pair.name}" (${pair.id}) cannot be decrypted: SECRET_KEY differs from ` +
        'the one it was sealed with when the pair was created (or the stored key is damaged). ' +
        'Start the service with the SECRET_KEY this database was set up with.',
    );
    this.name = 'SigningKeyUnreadableError';
  }
}

/**
 * The key pairs OAuth2 providers sign with. Private keys are stored as JWKs sealed with
 * AES-256-GCM under a key of their own derived from SECRET_KEY, bound to the pair's id and `kid`
 * (associated data), and opened at most once per process: pairs never change.
 */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('SigningKeys');
  private readonly sealingKey: Buffer;
  /** Opened private JWKs by pair id (promises, so concurrent first uses open the key once). */
  private readonly opened = new Map<string, Promise<SigningJwk>>();
  private defaultId: string | undefined;
  private readonly warnedIds = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: Pick<RuntimeConfig, 'secretKey'>,
  ) {
    this.sealingKey = deriveKey(config.secretKey, 'signing-key encryption');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureDefaults();
  }

  /** Creates the install's default key pairs if missing (idempotent, safe with several instances starting at once). */
  async ensureDefaults(): Promise<void> {
    let pairs = await this.findDefaults();
    if (pairs.length < SIGNING_ALGORITHMS.length) {
      const created = await this.createMissingDefaults();
      for (const pair of created) {
        // Names, ids and algorithms only: how an operator finds the id to set as a provider's
        // signing_key (also listed by GET /api/v3/crypto/certificatekeypairs/).
        this.logger.log(
          `created signing key pair "${pair.name}" (${pair.algorithm}, id ${pair.id})`,
        );
      }
      pairs = await this.findDefaults();
    }
    // Opened now, so that a wrong SECRET_KEY stops the start with a message saying so, rather
    // than failing the first sign-in.
    await Promise.all(pairs.map((pair) => this.openPair(pair)));
  }

  /** The private JWK a provider signs with: its `signing_key` (uuid) when that names a stored pair, else the install's default RS256 pair. */
  async signingJwk(keyPairId: string | null): Promise<SigningJwk> {
    if (keyPairId !== null) {
      const jwk = await this.byId(keyPairId);
      if (jwk) return { ...jwk };
      this.warnUnknown(keyPairId);
    }
    return { ...(await this.defaultJwk()) };
  }

  /** Every pair, public parts only, oldest first. */
  async list(): Promise<CertificateKeyPair[]> {
    return this.dataSource
      .getRepository(CertificateKeyPair)
      .find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  private findDefaults(): Promise<CertificateKeyPair[]> {
    return this.dataSource.getRepository(CertificateKeyPair).find({
      where: { name: In(Object.values(DEFAULT_KEY_PAIR_NAMES)) },
      select: { id: true, name: true, algorithm: true, publicJwk: true, privateKey: true },
    });
  }

  /** Under a transaction-scoped advisory lock: instances starting together create one set. */
  private createMissingDefaults(): Promise<CertificateKeyPair[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK_KEY]);
      const present = new Set(
        (
          await manager.find(CertificateKeyPair, {
            where: { name: In(Object.values(DEFAULT_KEY_PAIR_NAMES)) },
            select: { name: true },
          })
        ).map((pair) => pair.name),
      );
      const created: CertificateKeyPair[] = [];
      for (const algorithm of SIGNING_ALGORITHMS) {
        const name = DEFAULT_KEY_PAIR_NAMES[algorithm];
        if (present.has(name)) continue;
        const { publicJwk, privateJwk } = await generateSigningKeyPair(algorithm);
        const id = randomUUID();
        const pair = manager.create(CertificateKeyPair, {
          id,
          name,
          algorithm,
          publicJwk,
          privateKey: seal(
            this.sealingKey,
            JSON.stringify(privateJwk),
            sealContext(id, publicJwk.kid),
          ),
        });
        await manager.save(pair);
        created.push(pair);
      }
      return created;
    });
  }

  private async defaultJwk(): Promise<SigningJwk> {
    const known = this.defaultId && (await this.byId(this.defaultId));
    if (known) return known;
    let pair = await this.findByName(DEFAULT_KEY_PAIR_NAMES.RS256);
    if (!pair) {
      // Only when start-up did not run ensureDefaults (an app not bootstrapped through Nest).
      await this.ensureDefaults();
      pair = await this.findByName(DEFAULT_KEY_PAIR_NAMES.RS256);
    }
    if (!pair) throw new Error('the default RS256 signing key pair is missing');
    this.defaultId = pair.id;
    return this.openPair(pair);
  }

  private async byId(id: string): Promise<SigningJwk | undefined> {
    if (this.opened.has(id)) return this.opened.get(id);
    if (!UUID.test(id)) return undefined;
    const pair = await this.dataSource.getRepository(CertificateKeyPair).findOne({
      where: { id },
      select: { id: true, name: true, algorithm: true, publicJwk: true, privateKey: true },
    });
    return pair ? this.openPair(pair) : undefined;
  }

  private findByName(name: string): Promise<CertificateKeyPair | null> {
    return this.dataSource.getRepository(CertificateKeyPair).findOne({
      where: { name },
      select: { id: true, name: true, algorithm: true, publicJwk: true, privateKey: true },
    });
  }

  /** Opens a pair's private key once; later calls share the result. */
  private openPair(pair: CertificateKeyPair): Promise<SigningJwk> {
    let jwk = this.opened.get(pair.id);
    if (!jwk) {
      jwk = Promise.resolve().then(() => this.unseal(pair));
      this.opened.set(pair.id, jwk);
      // A failure is not cached: the next call reports it again.
      jwk.catch(() => this.opened.delete(pair.id));
    }
    return jwk;
  }

  private unseal(pair: CertificateKeyPair): SigningJwk {
    let jwk: SigningJwk;
    try {
      jwk = JSON.parse(
        open(this.sealingKey, pair.privateKey, sealContext(pair.id, pair.publicJwk.kid)),
      ) as SigningJwk;
    } catch {
      // The cipher's own error says nothing useful to an operator (and carries its internals).
      throw new SigningKeyUnreadableError(pair);
    }
    return Object.freeze(jwk);
  }

  private warnUnknown(id: string): void {
    if (this.warnedIds.has(id) || this.warnedIds.size >= MAX_WARNED_IDS) return;
    this.warnedIds.add(id);
    this.logger.warn(
      UUID.test(id)
        ? `signing key pair ${id} does not exist: signing with the default RS256 pair`
        : 'a signing_key that is not a uuid: signing with the default RS256 pair',
    );
  }
}

/** The associated data that binds a sealed private key to its row and its public half. */
function sealContext(id: string, kid: string): string {
  return `certificate_key_pairs:${id}:${kid}`;
}
