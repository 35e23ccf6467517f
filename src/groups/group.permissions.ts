import { Models, modelPermissions, Permissions } from '../common/auth/permissions.js';

export const GroupPermissions = {
  ...modelPermissions(Models.group),
  /** authentik's permissions for `add_user` / `remove_user` (change_group also allows both). */
  addUser: Permissions.addUserToGroup,
  removeUser: Permissions.removeUserFromGroup,
  /**
   * authentik's permissions to flip a group's superuser flag. Enabling one is also what it takes
   * here to make anyone a superuser in another way: joining a group that confers superuser
   * status, or placing a group under one.
   */
  enableSuperuser: Permissions.enableGroupSuperuser,
  disableSuperuser: Permissions.disableGroupSuperuser,
} as const;
