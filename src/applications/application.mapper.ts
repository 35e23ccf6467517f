import type { Column } from '../common/sql/columns.js';
import type { OAuth2ProviderResponse } from '../oauth2-providers/dto/oauth2-provider.response.js';
import type { Application, PolicyEngineMode } from './application.entity.js';
import type { ApplicationWrite } from './dto/application.request.js';
import type { ApplicationResponse } from './dto/application.response.js';

/** Columns a query selects (under `prefix`) to build an Application from table alias `alias`. */
export function applicationColumns(alias: string, prefix: string): Column[] {
  return [
    ['id', 'id'],
    ['name', 'name'],
    ['slug', 'slug'],
    ['provider_id', 'provider_id'],
    ['open_in_new_tab', 'open_in_new_tab'],
    ['meta_launch_url', 'meta_launch_url'],
    ['policy_engine_mode', 'policy_engine_mode'],
    ['"group"', 'group'],
  ].map(([column, name]): Column => [`${alias}.${column}`, `${prefix}${name}`]);
}

export interface ApplicationRow {
  id: string;
  name: string;
  slug: string;
  provider_id: number | null;
  open_in_new_tab: boolean;
  meta_launch_url: string;
  policy_engine_mode: PolicyEngineMode;
  group: string;
}

/** The application, keys in authentik's order, with its providers already rendered. */
export function toApplicationResponse(
  row: ApplicationRow,
  provider: OAuth2ProviderResponse | null,
  backchannelProviders: OAuth2ProviderResponse[],
): ApplicationResponse {
  return {
    pk: row.id,
    name: row.name,
    slug: row.slug,
    provider: row.provider_id,
    provider_obj: provider,
    backchannel_providers: backchannelProviders.map((backchannel) => backchannel.pk),
    backchannel_providers_obj: backchannelProviders,
    open_in_new_tab: row.open_in_new_tab,
    meta_launch_url: row.meta_launch_url,
    policy_engine_mode: row.policy_engine_mode,
    group: row.group,
  };
}

/** The entity values of the application's own columns a request body carries. */
export function toApplicationValues(body: ApplicationWrite): Partial<Application> {
  const values: Partial<Application> = {};
  if (body.name !== undefined) values.name = body.name;
  if (body.slug !== undefined) values.slug = body.slug;
  if (body.provider !== undefined) values.providerId = body.provider;
  if (body.open_in_new_tab !== undefined) values.openInNewTab = body.open_in_new_tab;
  if (body.meta_launch_url !== undefined) values.metaLaunchUrl = body.meta_launch_url;
  if (body.policy_engine_mode !== undefined) values.policyEngineMode = body.policy_engine_mode;
  if (body.group !== undefined) values.group = body.group;
  return values;
}
