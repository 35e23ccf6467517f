import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hasGlobalPermission, hasPermissionOn, type Principal } from '../common/auth/principal.js';
import {
  noMatch,
  notFound,
  permissionDenied,
  ValidationError,
} from '../common/errors/api-errors.js';
import { parseOrdering } from '../common/pagination/ordering.js';
import { parsePageSize, parseRequestedPage, resolvePage } from '../common/pagination/page.js';
import { Paginated } from '../common/pagination/paginated.js';
import { Messages } from '../common/validation/messages.js';
import { isUuid } from '../common/validation/primary-keys.js';
import { INVALID_CHOICE } from '../common/validation/query-rules.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type {
  PermissionAssignRequest,
  PermissionAssignResult,
} from './dto/permission-assign.request.js';
import type { PermissionFilterQuery, PermissionListQuery } from './dto/permission-list.query.js';
import type { PermissionResponse } from './dto/permission.response.js';
import {
  PERMISSION_CATALOGUE,
  findPermission,
  findPermissionById,
  findPermissionTarget,
  type CataloguedPermission,
  type PermissionTarget,
} from './permission-catalogue.js';
import { toPermissionResponse } from './role.mapper.js';
import { parseRoleId } from './roles.service.js';

/** Ordering terms of the catalogue (authentik's serializer fields) → entry properties. */
const ORDERING_FIELDS = {
  id: 'id',
  name: 'name',
  codename: 'codename',
  content_type__model: 'model',
  content_type__app_label: 'appLabel',
} as const satisfies Record<string, keyof CataloguedPermission>;

/*
 * Assigning is idempotent: rows that already exist are kept, and the ids of all the requested rows
 * (new or not) are returned. A role deleted meanwhile is a foreign-key violation (a 400).
 */
const ASSIGN_SQL = `
WITH wanted AS (
  SELECT * FROM unnest($2::text[], $3::text[]) AS w(app_label, codename)
), inserted AS (
  INSERT INTO role_permissions (role_id, app_label, codename, model, object_pk)
  SELECT $1::uuid, app_label, codename, $4, $5 FROM wanted
  ON CONFLICT (role_id, app_label, codename, model, object_pk) DO NOTHING
  RETURNING id
)
SELECT id FROM inserted
UNION ALL
SELECT rp.id FROM role_permissions rp JOIN wanted w USING (app_label, codename)
WHERE rp.role_id = $1::uuid AND rp.model = $4 AND rp.object_pk = $5`;

const UNASSIGN_SQL = `
DELETE FROM role_permissions rp
USING unnest($2::text[], $3::text[]) AS w(app_label, codename)
WHERE rp.role_id = $1::uuid AND rp.app_label = w.app_label AND rp.codename = w.codename
  AND rp.model = $4 AND rp.object_pk = $5`;

/** What an assign/unassign body names: permissions, and the one object they apply to (if any). */
interface Grant {
  permissions: CataloguedPermission[];
  target?: PermissionTarget;
  /** role_permissions.model: the bare model name, '' for a global grant. */
  model: string;
  /** role_permissions.object_pk in canonical form, '' for a global grant. */
  objectPk: string;
}

/**
 * rbac/permissions/: the permission catalogue, and assigning permissions to roles — globally, or
 * on one object. Who may assign is decided by @Access (global `assign_role_permissions` /
 * `unassign_role_permissions`, or superuser); what they may assign is decided here.
 */
@Injectable()
export class PermissionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async list(query: PermissionListQuery): Promise<Paginated<PermissionResponse>> {
    const held = query.role ? await this.globalPermissionsOf(query.role) : undefined;
    const matching = PERMISSION_CATALOGUE.filter(
      (entry) =>
        matchesFilters(entry, query) && (!held || held.has(`${entry.appLabel}.${entry.codename}`)),
    );
    const { pagination } = this.config;
    const pageSize = parsePageSize(
      query.page_size,
      pagination.defaultPageSize,
      pagination.maxPageSize,
    );
    const window = resolvePage(parseRequestedPage(query.page), matching.length, pageSize);
    const terms = parseOrdering(query.ordering, ORDERING_FIELDS, ['name'], 'id');
    const ordered = [...matching].sort((a, b) => {
      for (const { expression, descending } of terms) {
        const field = expression as keyof CataloguedPermission;
        const order = a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0;
        if (order !== 0) return descending ? -order : order;
      }
      return 0;
    });
    const rows = ordered.slice(window.offset, window.offset + window.pageSize);
    return new Paginated(
      rows.map(toPermissionResponse),
      matching.length,
      window.page,
      window.pageSize,
    );
  }

  retrieve(rawId: string): PermissionResponse {
    if (!/^\d{1,9}$/.test(rawId)) throw notFound();
    const entry = findPermissionById(Number(rawId));
    if (!entry) throw noMatch('Permission');
    return toPermissionResponse(entry);
  }

  /**
   * Grants the permissions to the role. A non-superuser may only hand out what they hold
   * themselves (globally for a global grant, globally or on the object for an object grant), so
   * `assign_role_permissions` cannot be used to escalate one's own privileges.
   */
  async assign(
    principal: Principal,
    rawRoleId: string,
    body: PermissionAssignRequest,
  ): Promise<PermissionAssignResult[]> {
    const roleId = await this.existingRole(rawRoleId);
    const grant = this.resolveGrant(body);
    if (grant.target) await this.requireObject(grant.target, grant.objectPk, body.object_pk!);
    for (const entry of grant.permissions) {
      const name = `${entry.appLabel}.${entry.codename}`;
      const held = grant.objectPk
        ? hasPermissionOn(principal, name, grant.objectPk)
        : hasGlobalPermission(principal, name);
      if (!held) throw permissionDenied();
    }
    if (grant.permissions.length === 0) return [];
    const rows: { id: number }[] = await this.dataSource.query(
      ASSIGN_SQL,
      this.parameters(roleId, grant),
    );
    return rows.map((row) => ({ id: String(row.id) }));
  }

  /** Removes the permissions from the role; the object need not exist any more. */
  async unassign(rawRoleId: string, body: PermissionAssignRequest): Promise<void> {
    const roleId = await this.existingRole(rawRoleId);
    const grant = this.resolveGrant(body);
    if (grant.permissions.length === 0) return;
    await this.dataSource.query(UNASSIGN_SQL, this.parameters(roleId, grant));
  }

  private parameters(roleId: string, grant: Grant) {
    return [
      roleId,
      grant.permissions.map((entry) => entry.appLabel),
      grant.permissions.map((entry) => entry.codename),
      grant.model,
      grant.objectPk,
    ];
  }

  private async existingRole(rawId: string): Promise<string> {
    const id = parseRoleId(rawId);
    const [row] = await this.dataSource.query('SELECT id FROM roles WHERE id = $1', [id]);
    if (!row) throw noMatch('Role');
    return id;
  }

  /** Global permission names of a role, for the `role` filter (400 when there is no such role). */
  private async globalPermissionsOf(roleId: string): Promise<Set<string>> {
    const rows: { role_id: string | null; name: string | null }[] = await this.dataSource.query(
      `SELECT r.id AS role_id, rp.app_label || '.' || rp.codename AS name
       FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id AND rp.object_pk = ''
       WHERE r.id = $1`,
      [roleId.toLowerCase()],
    );
    if (rows.length === 0) throw new ValidationError({ role: [INVALID_CHOICE] });
    return new Set(rows.flatMap((row) => (row.name ? [row.name] : [])));
  }

  /** Checks the body against the catalogue; every problem at once, in the body's field order. */
  private resolveGrant(body: PermissionAssignRequest): Grant {
    const errors: Record<string, string[]> = {};
    const target = body.model === undefined ? undefined : findPermissionTarget(body.model);
    const permissions: CataloguedPermission[] = [];
    const problems: string[] = [];
    for (const name of new Set(body.permissions)) {
      const entry = findPermission(name);
      if (!entry) {
        problems.push(`Permission "${name}" does not exist.`);
      } else if (target && (entry.appLabel !== target.appLabel || entry.model !== target.model)) {
        problems.push(`Permission "${name}" does not apply to model "${target.name}".`);
      } else {
        permissions.push(entry);
      }
    }
    if (problems.length > 0) errors.permissions = problems;
    if (body.object_pk !== undefined && body.model === undefined)
      errors.model = [Messages.required];
    if (body.model !== undefined && body.object_pk === undefined)
      errors.object_pk = [Messages.required];
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    if (!target) return { permissions, model: '', objectPk: '' };
    return {
      permissions,
      target,
      model: target.model,
      objectPk: canonicalPk(target, body.object_pk!),
    };
  }

  /** An object permission must name a row that exists (authentik would silently grant globally). */
  private async requireObject(target: PermissionTarget, objectPk: string, raw: string) {
    const { table, column, key } = target.objects;
    const wellFormed = key === 'integer' ? /^[1-9]\d{0,17}$/.test(objectPk) : isUuid(objectPk);
    const [row] = wellFormed
      ? await this.dataSource.query(
          `SELECT EXISTS (SELECT 1 FROM "${table}" WHERE "${column}" = $1::${key === 'integer' ? 'bigint' : 'uuid'}) AS found`,
          [objectPk],
        )
      : [{ found: false }];
    if (!row.found) throw new ValidationError({ object_pk: [Messages.doesNotExist(raw)] });
  }
}

/**
 * Object keys as the services compare them: integers without leading zeros, UUIDs in lower case.
 * Anything else is kept as given (it names no object).
 */
function canonicalPk(target: PermissionTarget, raw: string): string {
  if (target.objects.key === 'integer') {
    return /^\d{1,18}$/.test(raw) ? BigInt(raw).toString() : raw;
  }
  return raw.toLowerCase();
}

function matchesFilters(entry: CataloguedPermission, query: PermissionFilterQuery): boolean {
  if (query.codename && entry.codename !== query.codename) return false;
  if (query.content_type__app_label && entry.appLabel !== query.content_type__app_label)
    return false;
  if (query.content_type__model && entry.model !== query.content_type__model) return false;
  if (query.search) {
    const term = query.search.toLowerCase();
    return [entry.name, entry.codename, entry.model, entry.appLabel].some((field) =>
      field.toLowerCase().includes(term),
    );
  }
  return true;
}
