import { Permissions } from '../common/auth/permissions.js';
import type { GrantKind } from '../grants/grant-kind.js';

export const AUTHORIZATION_CODES: GrantKind = {
  table: 'authorization_codes',
  modelName: 'AuthorizationCode',
  viewPermission: Permissions.viewAuthorizationCode,
  deletePermission: Permissions.deleteAuthorizationCode,
};
