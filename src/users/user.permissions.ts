import { Models, modelPermissions, Permissions } from '../common/auth/permissions.js';

export const UserPermissions = {
  ...modelPermissions(Models.user),
  /** authentik's permission for `set_password`. */
  resetPassword: Permissions.resetUserPassword,
} as const;
