import { Permissions } from '../common/auth/permissions.js';
import { TokenGrantResponse } from '../grants/dto/token-grant.response.js';
import type { GrantKind } from '../grants/grant-kind.js';

export const REFRESH_TOKENS: GrantKind = {
  table: 'refresh_tokens',
  modelName: 'RefreshToken',
  viewPermission: Permissions.viewRefreshToken,
  deletePermission: Permissions.deleteRefreshToken,
  issuedToken: true,
  routes: {
    path: 'oauth2/refresh_tokens',
    operationStem: 'oauth2_refresh_tokens',
    viewset: 'RefreshToken Viewset',
    verboseName: 'OAuth2 Refresh Token',
    item: TokenGrantResponse,
    pageSchema: 'PaginatedTokenModelList',
  },
};
