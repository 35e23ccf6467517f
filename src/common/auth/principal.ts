import { permissionDenied } from '../errors/api-errors.js';

/** The authenticated caller, resolved once per request by the AuthGuard. */
export interface Principal {
  userId: number;
  username: string;
  /** Through any of the user's groups or their ancestors. */
  isSuperuser: boolean;
  /** Permissions held globally, as `app_label.codename`. */
  globalPermissions: ReadonlySet<string>;
  /** Object permissions: `app_label.codename` → primary keys of the objects it is held on. */
  objectPermissions: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Superusers hold every permission. */
export function hasGlobalPermission(principal: Principal, name: string): boolean {
  return principal.isSuperuser || principal.globalPermissions.has(name);
}

/** Held globally or on the one object with primary key `objectPk`. */
export function hasPermissionOn(principal: Principal, name: string, objectPk: string): boolean {
  return (
    hasGlobalPermission(principal, name) ||
    (principal.objectPermissions.get(name)?.has(objectPk) ?? false)
  );
}

/** Primary keys of the objects `name` is held on individually. */
export function objectPksWith(principal: Principal, name: string): string[] {
  return [...(principal.objectPermissions.get(name) ?? [])];
}

/** Throws the contract's 403 unless `name` is held globally or on the object `objectPk`. */
export function requirePermissionOn(principal: Principal, name: string, objectPk: string): void {
  if (!hasPermissionOn(principal, name, objectPk)) throw permissionDenied();
}

/** Owners may act on their own objects; anyone else needs `name`, globally or on the object. */
export function requireOwnerOrPermissionOn(
  principal: Principal,
  ownerId: number,
  name: string,
  objectPk: string,
): void {
  if (ownerId !== principal.userId) requirePermissionOn(principal, name, objectPk);
}
