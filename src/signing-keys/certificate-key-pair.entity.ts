import type { JsonWebKey } from 'node:crypto';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A signing key pair (authentik's CertificateKeyPair, without certificates). The private half is
 * a JWK sealed with AES-256-GCM under a key derived from SECRET_KEY; the public half is a JWK
 * anyone may see (it is published on the providers' JWKS endpoints).
 */
@Entity('certificate_key_pairs')
export class CertificateKeyPair {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'certificate_key_pairs_pkey' })
  id: string;

  @Index('certificate_key_pairs_name_key', { unique: true })
  @Column({ type: 'text' })
  name: string;

  /** The JWS algorithm the pair signs with: RS256 or ES256. */
  @Column({ type: 'text' })
  algorithm: string;

  /** With `kid` (the RFC 7638 thumbprint), `alg` and `use`. */
  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: JsonWebKey & { kid: string };

  @Column({ name: 'private_key', type: 'bytea', select: false })
  privateKey: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
