/** Permission names as authentik spells them: `<app_label>.<codename>`. */
export const OAUTH2_APP = 'authentik_providers_oauth2';
export const CORE_APP = 'authentik_core';
export const RBAC_APP = 'authentik_rbac';

export const permission = (appLabel: string, codename: string) => `${appLabel}.${codename}`;

export type ModelVerb = 'view' | 'add' | 'change' | 'delete';

/** A model that carries Django's four model permissions. */
export interface PermissionModel {
  appLabel: string;
  model: string;
}

export const Models = {
  user: { appLabel: CORE_APP, model: 'user' },
  group: { appLabel: CORE_APP, model: 'group' },
  application: { appLabel: CORE_APP, model: 'application' },
  token: { appLabel: CORE_APP, model: 'token' },
  role: { appLabel: RBAC_APP, model: 'role' },
  oauth2Provider: { appLabel: OAUTH2_APP, model: 'oauth2provider' },
  authorizationCode: { appLabel: OAUTH2_APP, model: 'authorizationcode' },
  accessToken: { appLabel: OAUTH2_APP, model: 'accesstoken' },
  refreshToken: { appLabel: OAUTH2_APP, model: 'refreshtoken' },
} as const satisfies Record<string, PermissionModel>;

/** `<app_label>.<verb>_<model>`, e.g. `authentik_core.add_user`. */
export const modelPermission = (verb: ModelVerb, { appLabel, model }: PermissionModel) =>
  permission(appLabel, `${verb}_${model}`);

export const Permissions = {
  viewOAuth2Provider: modelPermission('view', Models.oauth2Provider),
  viewAuthorizationCode: modelPermission('view', Models.authorizationCode),
  deleteAuthorizationCode: modelPermission('delete', Models.authorizationCode),
  viewAccessToken: modelPermission('view', Models.accessToken),
  deleteAccessToken: modelPermission('delete', Models.accessToken),
  viewRefreshToken: modelPermission('view', Models.refreshToken),
  deleteRefreshToken: modelPermission('delete', Models.refreshToken),
  /** Read another user's API token key back. */
  viewTokenKey: permission(CORE_APP, 'view_token_key'),
} as const;
