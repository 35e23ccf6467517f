import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Permissions } from '../common/auth/permissions.js';
import type { Principal } from '../common/auth/principal.js';
import { whereVisible } from '../common/auth/visibility.js';
import { ListPaginator } from '../common/pagination/list-paginator.js';
import type { Paginated } from '../common/pagination/paginated.js';
import { CertificateKeyPair } from './certificate-key-pair.entity.js';
import type { CertificateKeyPairListQuery } from './dto/certificate-key-pair-list.query.js';
import type { CertificateKeyPairResponse } from './dto/certificate-key-pair.response.js';

export const VIEW_CERTIFICATE_KEY_PAIR = Permissions.viewCertificateKeyPair;

/** authentik's names for the key types (its `private_key_type`). */
const KEY_TYPES: Record<string, string> = { RSA: 'rsa', EC: 'ellipticcurve' };

interface PairRow {
  pk: string;
  name: string;
  kty: string;
}

/**
 * crypto/certificatekeypairs/: the stored key pairs, so that an operator can find the id to set
 * as a provider's signing_key. Public facts only; the sealed private key is never selected.
 */
@Injectable()
export class CertificateKeyPairsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly paginator: ListPaginator,
  ) {}

  list(
    principal: Principal | null,
    query: CertificateKeyPairListQuery,
  ): Promise<Paginated<CertificateKeyPairResponse>> {
    const qb = this.dataSource
      .getRepository(CertificateKeyPair)
      .createQueryBuilder('k')
      .select('k.id', 'pk')
      .addSelect('k.name', 'name')
      .addSelect(`k.public_jwk ->> 'kty'`, 'kty');
    whereVisible(qb, principal, {
      permission: VIEW_CERTIFICATE_KEY_PAIR,
      key: 'k.id',
      keyKind: 'uuid',
    });
    // As authentik: anything but "true" (any case) leaves the details out.
    const details = (query.include_details ?? 'true').toLowerCase() === 'true';
    return this.paginator.paginate<PairRow, CertificateKeyPairResponse>(qb, query, (rows) =>
      rows.map((row) => ({
        pk: row.pk,
        name: row.name,
        fingerprint_sha256: null,
        fingerprint_sha1: null,
        cert_expiry: null,
        cert_subject: null,
        private_key_available: true,
        private_key_type: details ? (KEY_TYPES[row.kty] ?? null) : null,
        managed: null,
      })),
    );
  }
}
