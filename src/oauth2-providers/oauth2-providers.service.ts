import { containsPattern } from '../common/sql/like.js';
import { deleteRowById } from '../common/sql/rows.js';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { whereApplicationVisible } from '../applications/application.visibility.js';
import { CORE_APP, Models, modelPermissions } from '../common/auth/permissions.js';
import { hasPermissionOn, requirePermissionOn, type Principal } from '../common/auth/principal.js';
import { whereVisible } from '../common/auth/visibility.js';
import { noMatch, notFound, ValidationError } from '../common/errors/api-errors.js';
import { paginate, type OrderingRules } from '../common/pagination/paginate.js';
import { Paginated } from '../common/pagination/paginated.js';
import { selectColumns, unprefixed } from '../common/sql/columns.js';
import type { UsedByResponse } from '../common/used-by.response.js';
import { Messages } from '../common/validation/messages.js';
import { isStorableIntegerPk } from '../common/validation/primary-keys.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type {
  OAuth2ProviderFilterQuery,
  OAuth2ProviderListQuery,
} from './dto/oauth2-provider-list.query.js';
import type { OAuth2ProviderRequest, OAuth2ProviderWrite } from './dto/oauth2-provider.request.js';
import type { OAuth2ProviderResponse } from './dto/oauth2-provider.response.js';
import { OAuth2Provider } from './oauth2-provider.entity.js';
import {
  joinProviderApplications,
  providerColumns,
  toProviderResponse,
  toProviderValues,
  type ProviderRow,
} from './oauth2-provider.mapper.js';
import { generateClientId, generateClientSecret } from './oauth2-provider.rules.js';

export const MODEL_NAME = 'OAuth2Provider';
/** Django's verbose name, in unique-violation messages (as the errors filter spells it). */
const VERBOSE_NAME = 'OAuth2/OpenID Provider';

export const ProviderPermissions = modelPermissions(Models.oauth2Provider);

const ORDERING: OrderingRules = {
  allowed: { name: 'p.name', pk: 'p.id' },
  defaults: ['name'],
  primaryKey: 'p.id',
};

const ITEM_COLUMNS = providerColumns('p', 'app', 'backchannel', 'p_');

/** A provider id from the path: non-integers are 404 "Not found.", others that name no row 404. */
function parseId(raw: string): number {
  if (!/^-?\d+$/.test(raw)) throw notFound();
  const id = Number(raw);
  if (!isStorableIntegerPk(id)) throw noMatch(MODEL_NAME);
  return id;
}

/** Contract §3: the real secret only for superusers and view_oauth2provider holders. */
export const revealsSecretOf = (principal: Principal | null, providerId: number) =>
  !!principal && hasPermissionOn(principal, ProviderPermissions.view, String(providerId));

/**
 * providers/oauth2/: one query for a page (the provider with its application and backchannel
 * application joined many-to-one), one count; writes are single statements.
 */
@Injectable()
export class OAuth2ProvidersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async list(
    principal: Principal,
    query: OAuth2ProviderListQuery,
  ): Promise<Paginated<OAuth2ProviderResponse>> {
    const page = await paginate<Record<string, unknown>>(
      this.scoped(principal, query),
      this.withItemColumns(this.scoped(principal, query)),
      query,
      this.config.pagination,
      ORDERING,
    );
    const items = page.rows.map((row) => this.present(row, principal));
    return new Paginated(items, page.count, page.page, page.pageSize);
  }

  async retrieve(
    principal: Principal,
    rawId: string,
    query: OAuth2ProviderFilterQuery,
  ): Promise<OAuth2ProviderResponse> {
    const id = await this.visibleId(principal, rawId, query);
    return this.item(id, principal);
  }

  async create(principal: Principal, body: OAuth2ProviderRequest): Promise<OAuth2ProviderResponse> {
    const values = {
      ...toProviderValues(body),
      clientId: body.client_id ?? generateClientId(),
      clientSecret: body.client_secret ?? generateClientSecret(),
    };
    await this.checkUnique(values, null);
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(OAuth2Provider)
      .values(values)
      .returning('id')
      .execute();
    return this.item((result.raw as { id: number }[])[0]!.id, principal);
  }

  /** PUT and PATCH alike: the fields the body carries are written, the others kept. */
  async update(
    principal: Principal,
    rawId: string,
    query: OAuth2ProviderFilterQuery,
    body: OAuth2ProviderWrite,
  ): Promise<OAuth2ProviderResponse> {
    const id = await this.visibleId(principal, rawId, query);
    requirePermissionOn(principal, ProviderPermissions.change, String(id));
    const values = toProviderValues(body);
    await this.checkUnique(values, id);
    if (Object.keys(values).length > 0) {
      const result = await this.dataSource
        .createQueryBuilder()
        .update(OAuth2Provider)
        .set(values)
        .where('id = :id', { id })
        .execute();
      if (!result.affected) throw noMatch(MODEL_NAME);
    }
    return this.item(id, principal);
  }

  /** Grants of the provider go with it (FK cascade); applications keep going without it. */
  async destroy(principal: Principal, rawId: string, query: OAuth2ProviderFilterQuery) {
    const id = await this.visibleId(principal, rawId, query);
    requirePermissionOn(principal, ProviderPermissions.delete, String(id));
    await deleteRowById(this.dataSource, OAuth2Provider, id, MODEL_NAME);
  }

  /**
   * The applications whose provider this is and that the caller may see; deleting the provider
   * sets their provider to null. Grants, which deleting it removes, are listed by the grant APIs
   * (`?provider=`), not here: there may be millions.
   */
  async usedBy(
    principal: Principal,
    rawId: string,
    query: OAuth2ProviderFilterQuery,
  ): Promise<UsedByResponse[]> {
    const id = await this.visibleId(principal, rawId, query);
    const rows = await whereApplicationVisible(
      this.dataSource
        .createQueryBuilder()
        .from('applications', 'a')
        .select('a.id', 'id')
        .addSelect('a.name', 'name')
        .where('a.provider_id = :id', { id }),
      principal,
      'a',
    )
      .orderBy('a.name')
      .addOrderBy('a.id')
      .getRawMany<{ id: string; name: string }>();
    return rows.map((row) => ({
      app: CORE_APP,
      model_name: 'application',
      pk: row.id,
      name: row.name,
      action: 'set_null',
    }));
  }

  /** The id of a provider the caller may see and that matches the filters, else 404. */
  private async visibleId(
    principal: Principal,
    rawId: string,
    query: OAuth2ProviderFilterQuery,
  ): Promise<number> {
    const id = parseId(rawId);
    const row = await this.scoped(principal, query)
      .select('p.id', 'id')
      .andWhere('p.id = :id', { id })
      .getRawOne<{ id: number }>();
    if (!row) throw noMatch(MODEL_NAME);
    return id;
  }

  /** One provider as the API shows it, whoever may see it (after a write by its writer). */
  private async item(id: number, principal: Principal): Promise<OAuth2ProviderResponse> {
    const row = await this.withItemColumns(
      this.dataSource
        .createQueryBuilder()
        .from('oauth2_providers', 'p')
        .where('p.id = :id', { id }),
    ).getRawOne<Record<string, unknown>>();
    if (!row) throw noMatch(MODEL_NAME);
    return this.present(row, principal);
  }

  /** Name and client_id are unique: a clear 400 before the database's constraint would say so. */
  private async checkUnique(values: Partial<OAuth2Provider>, self: number | null) {
    if (values.name === undefined && values.clientId === undefined) return;
    const taken = await this.dataSource
      .createQueryBuilder()
      .from('oauth2_providers', 'p')
      .select('COALESCE(bool_or(p.name = :name), false)', 'name')
      .addSelect('COALESCE(bool_or(p.client_id = :clientId), false)', 'client_id')
      .where('(p.name = :name OR p.client_id = :clientId)')
      .andWhere('p.id IS DISTINCT FROM :self', { self })
      .setParameters({ name: values.name ?? null, clientId: values.clientId ?? null })
      .getRawOne<{ name: boolean; client_id: boolean }>();
    const errors: Record<string, string[]> = {};
    if (taken?.name) errors.name = [Messages.unique(VERBOSE_NAME, 'name')];
    if (taken?.client_id) errors.client_id = [Messages.unique(VERBOSE_NAME, 'client id')];
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  /** The providers `principal` may see (contract §3) that match the filters and search. */
  private scoped(
    principal: Principal,
    query: OAuth2ProviderFilterQuery,
  ): SelectQueryBuilder<Record<string, unknown>> {
    const qb = whereVisible(
      this.dataSource.createQueryBuilder().from('oauth2_providers', 'p'),
      principal,
      { permission: ProviderPermissions.view, key: 'p.id', keyKind: 'integer' },
    );
    if (query.name) qb.andWhere('p.name = :name', { name: query.name });
    if (query.client_id) qb.andWhere('p.client_id = :clientId', { clientId: query.client_id });
    if (query.client_type)
      qb.andWhere('p.client_type = :clientType', { clientType: query.client_type });
    if (query.issuer_mode)
      qb.andWhere('p.issuer_mode = :issuerMode', { issuerMode: query.issuer_mode });
    if (query.sub_mode) qb.andWhere('p.sub_mode = :subMode', { subMode: query.sub_mode });
    if (query.search) {
      qb.andWhere('(p.name ILIKE :pattern OR p.client_id ILIKE :pattern)', {
        pattern: containsPattern(query.search),
      });
    }
    return qb;
  }

  private withItemColumns(qb: SelectQueryBuilder<Record<string, unknown>>) {
    joinProviderApplications(qb, 'p', 'app', 'backchannel');
    return selectColumns(qb, ITEM_COLUMNS);
  }

  private present(row: Record<string, unknown>, principal: Principal): OAuth2ProviderResponse {
    const provider = unprefixed<ProviderRow>(row, 'p_');
    return toProviderResponse(provider, revealsSecretOf(principal, provider.id));
  }
}
