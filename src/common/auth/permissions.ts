/** Permission names as authentik spells them: `<app_label>.<codename>`. */
export const OAUTH2_APP = 'authentik_providers_oauth2';

export const permission = (appLabel: string, codename: string) => `${appLabel}.${codename}`;

export const Permissions = {
  viewOAuth2Provider: permission(OAUTH2_APP, 'view_oauth2provider'),
  viewAuthorizationCode: permission(OAUTH2_APP, 'view_authorizationcode'),
  deleteAuthorizationCode: permission(OAUTH2_APP, 'delete_authorizationcode'),
  viewAccessToken: permission(OAUTH2_APP, 'view_accesstoken'),
  deleteAccessToken: permission(OAUTH2_APP, 'delete_accesstoken'),
  viewRefreshToken: permission(OAUTH2_APP, 'view_refreshtoken'),
  deleteRefreshToken: permission(OAUTH2_APP, 'delete_refreshtoken'),
} as const;
