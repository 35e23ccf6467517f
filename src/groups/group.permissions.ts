import { CORE_APP, Models, modelPermission, permission } from '../common/auth/permissions.js';

export const GroupPermissions = {
  view: modelPermission('view', Models.group),
  add: modelPermission('add', Models.group),
  change: modelPermission('change', Models.group),
  delete: modelPermission('delete', Models.group),
  /** authentik's permissions for `add_user` / `remove_user` (change_group also allows both). */
  addUser: permission(CORE_APP, 'add_user_to_group'),
  removeUser: permission(CORE_APP, 'remove_user_from_group'),
  /**
   * authentik's permissions to flip a group's superuser flag. Enabling one is also what it takes
   * here to make anyone a superuser in another way: joining a group that confers superuser
   * status, or placing a group under one.
   */
  enableSuperuser: permission(CORE_APP, 'enable_group_superuser'),
  disableSuperuser: permission(CORE_APP, 'disable_group_superuser'),
} as const;
