import {
  CORE_APP,
  Models,
  OAUTH2_APP,
  RBAC_APP,
  permission,
  type ModelVerb,
  type PermissionModel,
} from '../common/auth/permissions.js';

/**
 * The permissions this service knows — the only names a role can be given. Django's four model
 * permissions of every model in `Models`, plus authentik's extra permissions we enforce. Ids are
 * positions in this list: models append to `Models` and their extras follow their own four, so
 * existing ids do not move when a model is added.
 */
export interface CataloguedPermission {
  id: number;
  appLabel: string;
  codename: string;
  /** Bare model name, as role_permissions.model stores it for object permissions. */
  model: string;
  /** Django's "Can view Authorization Code". */
  name: string;
  appLabelVerbose: string;
  modelVerbose: string;
}

type ModelKey = keyof typeof Models;

/** Where a model's rows live, to check that an object permission names a real object. */
export interface ObjectTable {
  table: string;
  column: string;
  key: 'integer' | 'uuid';
}

interface ModelFacts {
  verboseName: string;
  objects: ObjectTable;
  extras?: readonly [codename: string, name: string][];
}

/** authentik's verbose names (`Meta.verbose_name`) and the tables behind each model. */
const MODEL_FACTS: Record<ModelKey, ModelFacts> = {
  user: {
    verboseName: 'User',
    objects: { table: 'users', column: 'id', key: 'integer' },
    extras: [['reset_user_password', 'Reset Password']],
  },
  group: { verboseName: 'Group', objects: { table: 'groups', column: 'id', key: 'uuid' } },
  application: {
    verboseName: 'Application',
    objects: { table: 'applications', column: 'id', key: 'uuid' },
  },
  token: {
    verboseName: 'Token',
    objects: { table: 'tokens', column: 'id', key: 'uuid' },
    extras: [['view_token_key', "View token's key"]],
  },
  role: {
    verboseName: 'Role',
    objects: { table: 'roles', column: 'id', key: 'uuid' },
    extras: [
      ['assign_role_permissions', 'Can assign permissions to roles'],
      ['unassign_role_permissions', 'Can unassign permissions from roles'],
    ],
  },
  oauth2Provider: {
    verboseName: 'OAuth2/OpenID Provider',
    objects: { table: 'oauth2_providers', column: 'id', key: 'integer' },
  },
  authorizationCode: {
    verboseName: 'Authorization Code',
    objects: { table: 'authorization_codes', column: 'id', key: 'integer' },
  },
  accessToken: {
    verboseName: 'OAuth2 Access Token',
    objects: { table: 'access_tokens', column: 'id', key: 'integer' },
  },
  refreshToken: {
    verboseName: 'OAuth2 Refresh Token',
    objects: { table: 'refresh_tokens', column: 'id', key: 'integer' },
  },
};

const APP_VERBOSE_NAMES: Record<string, string> = {
  [CORE_APP]: 'authentik Core',
  [RBAC_APP]: 'authentik RBAC',
  [OAUTH2_APP]: 'authentik Providers.OAuth2',
};

/** Django creates them in this order. */
const VERBS: readonly ModelVerb[] = ['add', 'change', 'delete', 'view'];

function buildCatalogue(): CataloguedPermission[] {
  const entries: Omit<CataloguedPermission, 'id'>[] = [];
  for (const key of Object.keys(Models) as ModelKey[]) {
    const model: PermissionModel = Models[key];
    const facts = MODEL_FACTS[key];
    const base = {
      appLabel: model.appLabel,
      model: model.model,
      appLabelVerbose: APP_VERBOSE_NAMES[model.appLabel] ?? model.appLabel,
      modelVerbose: facts.verboseName,
    };
    for (const verb of VERBS) {
      entries.push({
        ...base,
        codename: `${verb}_${model.model}`,
        name: `Can ${verb} ${facts.verboseName}`,
      });
    }
    for (const [codename, name] of facts.extras ?? []) entries.push({ ...base, codename, name });
  }
  return entries.map((entry, index) => ({ id: index + 1, ...entry }));
}

export const PERMISSION_CATALOGUE: readonly CataloguedPermission[] = buildCatalogue();

const BY_NAME = new Map(PERMISSION_CATALOGUE.map((p) => [permission(p.appLabel, p.codename), p]));
const BY_ID = new Map(PERMISSION_CATALOGUE.map((p) => [p.id, p]));

/** `app_label.codename` → the catalogued permission, or undefined for a name we do not know. */
export const findPermission = (name: string) => BY_NAME.get(name);
export const findPermissionById = (id: number) => BY_ID.get(id);

/** A model that permissions can be held on one object of, named `app_label.model`. */
export interface PermissionTarget extends PermissionModel {
  name: string;
  objects: ObjectTable;
}

export const PERMISSION_TARGETS: readonly PermissionTarget[] = (
  Object.keys(Models) as ModelKey[]
).map((key) => ({
  ...Models[key],
  name: `${Models[key].appLabel}.${Models[key].model}`,
  objects: MODEL_FACTS[key].objects,
}));

const TARGETS_BY_NAME = new Map(PERMISSION_TARGETS.map((target) => [target.name, target]));

export const findPermissionTarget = (name: string) => TARGETS_BY_NAME.get(name);

/** Permissions enforced by the rbac and tokens APIs that are not model permissions. */
export const ExtraPermissions = {
  assignRolePermissions: permission(RBAC_APP, 'assign_role_permissions'),
  unassignRolePermissions: permission(RBAC_APP, 'unassign_role_permissions'),
} as const;
