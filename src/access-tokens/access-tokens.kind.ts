import { Permissions } from '../common/auth/permissions.js';
import { TokenGrantResponse } from '../grants/dto/token-grant.response.js';
import type { GrantKind } from '../grants/grant-kind.js';

export const ACCESS_TOKENS: GrantKind = {
  table: 'access_tokens',
  modelName: 'AccessToken',
  viewPermission: Permissions.viewAccessToken,
  deletePermission: Permissions.deleteAccessToken,
  issuedToken: true,
  routes: {
    path: 'oauth2/access_tokens',
    operationStem: 'oauth2_access_tokens',
    viewset: 'AccessToken Viewset',
    verboseName: 'OAuth2 Access Token',
    item: TokenGrantResponse,
    pageSchema: 'PaginatedTokenModelList',
  },
};
