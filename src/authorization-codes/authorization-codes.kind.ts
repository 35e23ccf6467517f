import { Permissions } from '../common/auth/permissions.js';
import { GrantResponse } from '../grants/dto/grant.response.js';
import type { GrantKind } from '../grants/grant-kind.js';

export const AUTHORIZATION_CODES: GrantKind = {
  table: 'authorization_codes',
  modelName: 'AuthorizationCode',
  viewPermission: Permissions.viewAuthorizationCode,
  deletePermission: Permissions.deleteAuthorizationCode,
  issuedToken: false,
  routes: {
    path: 'oauth2/authorization_codes',
    operationStem: 'oauth2_authorization_codes',
    viewset: 'AuthorizationCode Viewset',
    verboseName: 'Authorization Code',
    item: GrantResponse,
    pageSchema: 'PaginatedExpiringBaseGrantModelList',
  },
};
