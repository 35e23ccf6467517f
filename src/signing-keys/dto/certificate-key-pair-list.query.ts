import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { ListRules, SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';
import { TextFilter } from '../../oauth2-providers/dto/filter-rules.js';

/** crypto_certificatekeypairs_list's filters, as authentik names them. */
export class CertificateKeyPairFilterQuery extends SearchQuery {
  @TextFilter()
  name?: string;

  /** No pair of ours is managed: any value matches none. */
  @TextFilter()
  managed?: string;

  /** Every pair stored here has its private key, so neither value narrows the list. */
  @ApiPropertyOptional({
    type: Boolean,
    description: 'Only return certificate-key pairs with keys',
  })
  @IsOptional()
  @IsString()
  has_key?: string;

  @ApiPropertyOptional({ type: Boolean, default: true })
  @IsOptional()
  @IsString()
  include_details?: string;
}

@ListRules({
  ordering: { name: 'k.name', pk: 'k.id' },
  defaultOrdering: ['name'],
  primaryKey: 'k.id',
  search: ['k.name'],
  filters: { name: 'k.name', managed: 'NULL::text' },
})
export class CertificateKeyPairListQuery extends WithPageParameters(
  CertificateKeyPairFilterQuery,
) {}
