/** Permission names as authentik spells them: `<app_label>.<codename>`. */
export const OAUTH2_APP = 'authentik_providers_oauth2';
export const CORE_APP = 'authentik_core';
export const RBAC_APP = 'authentik_rbac';
export const CRYPTO_APP = 'authentik_crypto';

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
  certificateKeyPair: { appLabel: CRYPTO_APP, model: 'certificatekeypair' },
} as const satisfies Record<string, PermissionModel>;

/** `<app_label>.<verb>_<model>`, e.g. `authentik_core.add_user`. */
export const modelPermission = (verb: ModelVerb, { appLabel, model }: PermissionModel) =>
  permission(appLabel, `${verb}_${model}`);

/** Django's four model permissions of `model`. */
export const modelPermissions = (model: PermissionModel): Record<ModelVerb, string> => ({
  view: modelPermission('view', model),
  add: modelPermission('add', model),
  change: modelPermission('change', model),
  delete: modelPermission('delete', model),
});

export const Permissions = {
  viewOAuth2Provider: modelPermission('view', Models.oauth2Provider),
  viewAuthorizationCode: modelPermission('view', Models.authorizationCode),
  deleteAuthorizationCode: modelPermission('delete', Models.authorizationCode),
  viewAccessToken: modelPermission('view', Models.accessToken),
  deleteAccessToken: modelPermission('delete', Models.accessToken),
  viewRefreshToken: modelPermission('view', Models.refreshToken),
  deleteRefreshToken: modelPermission('delete', Models.refreshToken),
  viewCertificateKeyPair: modelPermission('view', Models.certificateKeyPair),

  // authentik's permissions beyond the model permissions (its models' Meta.permissions).
  /** Read another user's API token key back. */
  viewTokenKey: permission(CORE_APP, 'view_token_key'),
  /** `set_password` of another user. */
  resetUserPassword: permission(CORE_APP, 'reset_user_password'),
  /** A group's `add_user` / `remove_user` (change_group also allows both). */
  addUserToGroup: permission(CORE_APP, 'add_user_to_group'),
  removeUserFromGroup: permission(CORE_APP, 'remove_user_from_group'),
  /** Flipping a group's superuser flag. */
  enableGroupSuperuser: permission(CORE_APP, 'enable_group_superuser'),
  disableGroupSuperuser: permission(CORE_APP, 'disable_group_superuser'),
  assignRolePermissions: permission(RBAC_APP, 'assign_role_permissions'),
  unassignRolePermissions: permission(RBAC_APP, 'unassign_role_permissions'),
} as const;
