import type { CataloguedPermission } from './permission-catalogue.js';
import type { PermissionResponse } from './dto/permission.response.js';
import type { RoleResponse } from './dto/role.response.js';

export interface RoleRow {
  id: string;
  name: string;
}

export const toRoleResponse = (row: RoleRow): RoleResponse => ({ pk: row.id, name: row.name });

export const toPermissionResponse = (entry: CataloguedPermission): PermissionResponse => ({
  id: entry.id,
  name: entry.name,
  codename: entry.codename,
  model: entry.model,
  app_label: entry.appLabel,
  app_label_verbose: entry.appLabelVerbose,
  model_verbose: entry.modelVerbose,
});
