import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { requirePermissionOn, type Principal } from '../common/auth/principal.js';
import { noMatch, ValidationError } from '../common/errors/api-errors.js';
import { paginate, type OrderingRules } from '../common/pagination/paginate.js';
import { Paginated } from '../common/pagination/paginated.js';
import { selectColumns, unprefixed, type Column } from '../common/sql/columns.js';
import { containsPattern } from '../common/sql/like.js';
import { deleteRowById } from '../common/sql/rows.js';
import { Messages } from '../common/validation/messages.js';
import { isStorableIntegerPk } from '../common/validation/primary-keys.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { OAuth2ProviderResponse } from '../oauth2-providers/dto/oauth2-provider.response.js';
import {
  joinProviderApplications,
  providerColumns,
  toProviderResponse,
  type ProviderRow,
} from '../oauth2-providers/oauth2-provider.mapper.js';
import { OAuth2Provider } from '../oauth2-providers/oauth2-provider.entity.js';
import { revealsSecretOf } from '../oauth2-providers/oauth2-providers.service.js';
import { Application } from './application.entity.js';
import {
  applicationColumns,
  toApplicationResponse,
  toApplicationValues,
  type ApplicationRow,
} from './application.mapper.js';
import { isSlug } from './application.rules.js';
import { ApplicationPermissions, whereApplicationVisible } from './application.visibility.js';
import type { ApplicationFilterQuery, ApplicationListQuery } from './dto/application-list.query.js';
import type { ApplicationRequest, ApplicationWrite } from './dto/application.request.js';
import type { ApplicationResponse } from './dto/application.response.js';

const MODEL_NAME = 'Application';

const ORDERING: OrderingRules = {
  allowed: { name: 'a.name', slug: 'a.slug', group: 'a."group"', pk: 'a.id' },
  defaults: ['name'],
  primaryKey: 'a.id',
};

/**
 * The application and its provider `p` (with p's backchannel application `pb`). p's application is
 * `a` itself: its slug and name are not selected twice, present() fills them in.
 */
const ITEM_COLUMNS = [
  ...applicationColumns('a', 'a_'),
  ...providerColumns('p', 'a', 'pb', 'p_').filter(([expression]) => !expression.startsWith('a.')),
];
/** A backchannel provider, with the application it belongs to. */
const BACKCHANNEL_COLUMNS = [
  ...providerColumns('p', 'app', 'backchannel', 'p_'),
  ['p.backchannel_application_id', 'application_id'] as Column,
];

/** The application's providers before a write (none for a new one). */
interface CurrentProviders {
  self: string | null;
  provider: number | null;
  backchannels: number[];
}

interface LockedProvider {
  id: number;
  backchannel_application_id: string | null;
  application_id: string | null;
}

/**
 * core/applications/: one query for a page (each application with its provider joined
 * many-to-one), one count, one batched query for the page's backchannel providers. Writes run in
 * a transaction that locks the provider rows they claim, so the rules below hold under
 * concurrency: a provider is the provider of at most one application (also a unique
 * constraint), the backchannel provider of at most one (its own column), and never both.
 */
@Injectable()
export class ApplicationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async list(
    principal: Principal,
    query: ApplicationListQuery,
  ): Promise<Paginated<ApplicationResponse>> {
    const page = await paginate<Record<string, unknown>>(
      this.scoped(principal, query),
      this.withItemColumns(this.scoped(principal, query)),
      query,
      this.config.pagination,
      ORDERING,
    );
    const items = await this.present(page.rows, principal);
    return new Paginated(items, page.count, page.page, page.pageSize);
  }

  async retrieve(
    principal: Principal,
    slug: string,
    query: ApplicationFilterQuery,
  ): Promise<ApplicationResponse> {
    return this.item(await this.visibleId(principal, slug, query), principal);
  }

  async create(principal: Principal, body: ApplicationRequest): Promise<ApplicationResponse> {
    const id = await this.dataSource.transaction(async (manager) => {
      await this.checkWrite(manager, body, { self: null, provider: null, backchannels: [] });
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(Application)
        .values(toApplicationValues(body))
        .returning('id')
        .execute();
      const created = (result.raw as { id: string }[])[0]!.id;
      if (body.backchannel_providers !== undefined) {
        await this.setBackchannels(manager, created, body.backchannel_providers);
      }
      return created;
    });
    return this.item(id, principal);
  }

  /** PUT and PATCH alike: the fields the body carries are written, the others kept. */
  async update(
    principal: Principal,
    slug: string,
    query: ApplicationFilterQuery,
    body: ApplicationWrite,
  ): Promise<ApplicationResponse> {
    const id = await this.visibleId(principal, slug, query);
    requirePermissionOn(principal, ApplicationPermissions.change, id);
    await this.dataSource.transaction(async (manager) => {
      // Lock first, read after (see lockProviders): concurrent writes of one application queue.
      await manager
        .createQueryBuilder()
        .from('applications', 'a')
        .select('a.id', 'id')
        .where('a.id = :id', { id })
        .setLock('pessimistic_write')
        .getRawOne();
      const current = await manager
        .createQueryBuilder()
        .from('applications', 'a')
        .select('a.provider_id', 'provider_id')
        .addSelect(
          'ARRAY(SELECT b.id FROM oauth2_providers b WHERE b.backchannel_application_id = a.id ORDER BY b.id)',
          'backchannels',
        )
        .where('a.id = :id', { id })
        .getRawOne<{ provider_id: number | null; backchannels: number[] }>();
      // Deleted since visibleId.
      if (!current) throw noMatch(MODEL_NAME);
      await this.checkWrite(manager, body, {
        self: id,
        provider: current.provider_id,
        backchannels: current.backchannels,
      });
      const values = toApplicationValues(body);
      if (Object.keys(values).length > 0) {
        await manager
          .createQueryBuilder()
          .update(Application)
          .set(values)
          .where('id = :id', { id })
          .execute();
      }
      if (body.backchannel_providers !== undefined) {
        await this.setBackchannels(manager, id, body.backchannel_providers);
      }
    });
    return this.item(id, principal);
  }

  /** Its provider stays (unassigned); its backchannel providers are released (FK SET NULL). */
  async destroy(principal: Principal, slug: string, query: ApplicationFilterQuery) {
    const id = await this.visibleId(principal, slug, query);
    requirePermissionOn(principal, ApplicationPermissions.delete, id);
    await deleteRowById(this.dataSource, Application, id, MODEL_NAME);
  }

  /** The uuid of an application the caller may see and that matches the filters, else 404. */
  private async visibleId(
    principal: Principal,
    slug: string,
    query: ApplicationFilterQuery,
  ): Promise<string> {
    // A value that cannot be a slug names nothing (and never reaches SQL: NUL characters).
    if (!isSlug(slug)) throw noMatch(MODEL_NAME);
    const row = await this.scoped(principal, query)
      .select('a.id', 'id')
      .andWhere('a.slug = :slug', { slug })
      .getRawOne<{ id: string }>();
    if (!row) throw noMatch(MODEL_NAME);
    return row.id;
  }

  /** One application as the API shows it (after a write: whoever may see it). */
  private async item(id: string, principal: Principal): Promise<ApplicationResponse> {
    const row = await this.withItemColumns(
      this.dataSource.createQueryBuilder().from('applications', 'a').where('a.id = :id', { id }),
    ).getRawOne<Record<string, unknown>>();
    if (!row) throw noMatch(MODEL_NAME);
    const [item] = await this.present([row], principal);
    return item!;
  }

  /**
   * The write's uniqueness and provider rules, checked on locked provider rows. Only providers
   * the body newly claims are checked against other applications: an edit never fails on the
   * providers the application already has. All errors are collected into one 400 body (slug,
   * provider, backchannel_providers).
   */
  private async checkWrite(
    manager: EntityManager,
    body: ApplicationWrite,
    current: CurrentProviders,
  ) {
    const { self } = current;
    const backchannelsGiven = body.backchannel_providers !== undefined;
    // What the application's providers will be after the write.
    const provider = body.provider !== undefined ? body.provider : current.provider;
    const backchannels = [...new Set(body.backchannel_providers ?? current.backchannels)];
    const errors: Record<string, string[]> = {};
    const add = (field: string, message: string) => (errors[field] ??= []).push(message);
    const both = (pk: number) =>
      `Provider ${pk} cannot be both the provider and a backchannel provider.`;

    if (body.slug !== undefined) {
      const taken = await manager
        .createQueryBuilder()
        .from('applications', 'a')
        .select('a.id', 'id')
        .where('a.slug = :slug', { slug: body.slug })
        .andWhere('a.id IS DISTINCT FROM :self', { self })
        .getRawOne();
      if (taken) add('slug', Messages.unique('Application', 'slug'));
    }

    const claimsProvider = provider !== null && provider !== current.provider;
    const claimedBackchannels = backchannels.filter((pk) => !current.backchannels.includes(pk));
    const locked = await this.lockProviders(manager, [
      ...(claimsProvider ? [provider] : []),
      ...claimedBackchannels,
    ]);
    const otherApplication = (applicationId: string | null) =>
      applicationId !== null && applicationId !== self;

    if (claimsProvider) {
      const row = locked.get(provider);
      if (!row) add('provider', Messages.doesNotExist(provider));
      else if (backchannels.includes(provider))
        add(backchannelsGiven ? 'backchannel_providers' : 'provider', both(provider));
      else if (otherApplication(row.application_id))
        add('provider', Messages.unique('Application', 'provider'));
      else if (otherApplication(row.backchannel_application_id))
        add('provider', `Provider ${provider} is a backchannel provider of another application.`);
    }
    if (backchannelsGiven) {
      for (const backchannel of backchannels) {
        const row = locked.get(backchannel);
        if (backchannel === provider) {
          // A claimed provider's conflict is reported above; the kept one is reported here.
          if (!claimsProvider) add('backchannel_providers', both(backchannel));
        } else if (!claimedBackchannels.includes(backchannel)) {
          continue; // already this application's
        } else if (!row) {
          add('backchannel_providers', Messages.doesNotExist(backchannel));
        } else if (otherApplication(row.application_id)) {
          add(
            'backchannel_providers',
            `Provider ${backchannel} is the provider of another application.`,
          );
        } else if (otherApplication(row.backchannel_application_id)) {
          add(
            'backchannel_providers',
            `Provider ${backchannel} is a backchannel provider of another application.`,
          );
        }
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  /**
   * Locks the providers a write names (in id order, so concurrent writes cannot deadlock), then
   * reads who uses them. Two statements on purpose: under READ COMMITTED the read must take its
   * snapshot after the locks are granted, or it would miss the application a concurrent claim
   * just committed. Ids no SERIAL can hold are simply not found.
   */
  private async lockProviders(
    manager: EntityManager,
    ids: number[],
  ): Promise<Map<number, LockedProvider>> {
    const storable = [...new Set(ids)].filter(isStorableIntegerPk);
    if (storable.length === 0) return new Map();
    await manager
      .createQueryBuilder()
      .from('oauth2_providers', 'p')
      .select('p.id', 'id')
      .where('p.id IN (:...ids)', { ids: storable })
      .orderBy('p.id')
      .setLock('pessimistic_write')
      .getRawMany();
    const rows = await manager
      .createQueryBuilder()
      .from('oauth2_providers', 'p')
      .leftJoin('applications', 'a', 'a.provider_id = p.id')
      .select('p.id', 'id')
      .addSelect('p.backchannel_application_id', 'backchannel_application_id')
      .addSelect('a.id', 'application_id')
      .where('p.id IN (:...ids)', { ids: storable })
      .getRawMany<LockedProvider>();
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Makes `providers` exactly the backchannel providers of application `id`. */
  private async setBackchannels(manager: EntityManager, id: string, providers: number[]) {
    const release = manager
      .createQueryBuilder()
      .update(OAuth2Provider)
      .set({ backchannelApplicationId: null })
      .where('backchannel_application_id = :id', { id });
    if (providers.length > 0) release.andWhere('id NOT IN (:...providers)', { providers });
    await release.execute();
    if (providers.length === 0) return;
    await manager
      .createQueryBuilder()
      .update(OAuth2Provider)
      .set({ backchannelApplicationId: id })
      .where('id IN (:...providers)', { providers })
      .execute();
  }

  /** The applications `principal` may see (contract §3) that match the filters and search. */
  private scoped(
    principal: Principal,
    query: ApplicationFilterQuery,
  ): SelectQueryBuilder<Record<string, unknown>> {
    const qb = whereApplicationVisible(
      this.dataSource.createQueryBuilder().from('applications', 'a'),
      principal,
      'a',
    );
    if (query.name) qb.andWhere('a.name = :name', { name: query.name });
    if (query.slug) qb.andWhere('a.slug = :slugFilter', { slugFilter: query.slug });
    if (query.group) qb.andWhere('a."group" = :group', { group: query.group });
    if (query.meta_launch_url) {
      qb.andWhere('a.meta_launch_url = :launchUrl', { launchUrl: query.meta_launch_url });
    }
    if (query.search) {
      qb.andWhere('(a.name ILIKE :pattern OR a.slug ILIKE :pattern OR a."group" ILIKE :pattern)', {
        pattern: containsPattern(query.search),
      });
    }
    return qb;
  }

  private withItemColumns(qb: SelectQueryBuilder<Record<string, unknown>>) {
    qb.leftJoin('oauth2_providers', 'p', 'p.id = a.provider_id').leftJoin(
      'applications',
      'pb',
      'pb.id = p.backchannel_application_id',
    );
    return selectColumns(qb, ITEM_COLUMNS);
  }

  /** Renders a page of application rows; their backchannel providers come in one query. */
  private async present(
    rows: Record<string, unknown>[],
    principal: Principal,
  ): Promise<ApplicationResponse[]> {
    const ids = rows.map((row) => row.a_id as string);
    const backchannels = new Map<string, OAuth2ProviderResponse[]>();
    if (ids.length > 0) {
      const providerRows = await selectColumns(
        joinProviderApplications(
          this.dataSource
            .createQueryBuilder()
            .from('oauth2_providers', 'p')
            .where('p.backchannel_application_id IN (:...ids)', { ids }),
          'p',
          'app',
          'backchannel',
        ),
        BACKCHANNEL_COLUMNS,
      )
        .orderBy('p.id')
        .getRawMany<Record<string, unknown>>();
      for (const row of providerRows) {
        const list = backchannels.get(row.application_id as string) ?? [];
        list.push(this.provider(row, principal));
        backchannels.set(row.application_id as string, list);
      }
    }
    return rows.map((row) => {
      const application = unprefixed<ApplicationRow>(row, 'a_');
      const provider =
        row.p_id === null
          ? null
          : this.provider(
              { ...row, p_app_slug: application.slug, p_app_name: application.name },
              principal,
            );
      return toApplicationResponse(application, provider, backchannels.get(application.id) ?? []);
    });
  }

  private provider(row: Record<string, unknown>, principal: Principal): OAuth2ProviderResponse {
    const provider = unprefixed<ProviderRow>(row, 'p_');
    return toProviderResponse(provider, revealsSecretOf(principal, provider.id));
  }
}
