import { CORE_APP, Models, modelPermission, permission } from '../common/auth/permissions.js';

export const UserPermissions = {
  view: modelPermission('view', Models.user),
  add: modelPermission('add', Models.user),
  change: modelPermission('change', Models.user),
  delete: modelPermission('delete', Models.user),
  /** authentik's permission for `set_password`. */
  resetPassword: permission(CORE_APP, 'reset_user_password'),
} as const;
