import {
  CORE_APP,
  CRYPTO_APP,
  Models,
  OAUTH2_APP,
  Permissions,
  RBAC_APP,
  permission,
  type ModelVerb,
  type PermissionModel,
} from '../common/auth/permissions.js';

/**
 * The permissions this service knows — the only names a role can be given: Django's four model
 * permissions of every model in `Models`, plus authentik's extra permissions we enforce.
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
}

/** authentik's verbose names (`Meta.verbose_name`) and the tables behind each model. */
const MODEL_FACTS: Record<ModelKey, ModelFacts> = {
  user: { verboseName: 'User', objects: { table: 'users', column: 'id', key: 'integer' } },
  group: { verboseName: 'Group', objects: { table: 'groups', column: 'id', key: 'uuid' } },
  application: {
    verboseName: 'Application',
    objects: { table: 'applications', column: 'id', key: 'uuid' },
  },
  token: { verboseName: 'Token', objects: { table: 'tokens', column: 'id', key: 'uuid' } },
  role: { verboseName: 'Role', objects: { table: 'roles', column: 'id', key: 'uuid' } },
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
  certificateKeyPair: {
    verboseName: 'Certificate-Key Pair',
    objects: { table: 'certificate_key_pairs', column: 'id', key: 'uuid' },
  },
};

const APP_VERBOSE_NAMES: Record<string, string> = {
  [CORE_APP]: 'authentik Core',
  [RBAC_APP]: 'authentik RBAC',
  [OAUTH2_APP]: 'authentik Providers.OAuth2',
  [CRYPTO_APP]: 'authentik Crypto',
};

/** Django creates them in this order. */
const VERBS: readonly ModelVerb[] = ['add', 'change', 'delete', 'view'];

type Entry = Omit<CataloguedPermission, 'id'>;

function entry(key: ModelKey, codename: string, name: string): Entry {
  const { appLabel, model } = Models[key];
  return {
    appLabel,
    codename,
    model,
    name,
    appLabelVerbose: APP_VERBOSE_NAMES[appLabel] ?? appLabel,
    modelVerbose: MODEL_FACTS[key].verboseName,
  };
}

const modelEntries = (key: ModelKey): Entry[] =>
  VERBS.map((verb) =>
    entry(key, `${verb}_${Models[key].model}`, `Can ${verb} ${MODEL_FACTS[key].verboseName}`),
  );

/** One of authentik's extra permissions (`Meta.permissions`) of a model, named as authentik. */
function extraEntry(key: ModelKey, name: string, verboseName: string): Entry {
  const [appLabel, codename] = name.split('.') as [string, string];
  if (appLabel !== Models[key].appLabel) throw new Error(`${name} is not a permission of ${key}`);
  return entry(key, codename, verboseName);
}

/**
 * Ids are positions in this list, and clients may have kept them: entries are only ever appended
 * (a new model's four, or another extra permission of any model), never inserted or reordered.
 */
const ENTRIES: readonly Entry[] = [
  ...modelEntries('user'),
  extraEntry('user', Permissions.resetUserPassword, 'Reset Password'),
  ...modelEntries('group'),
  ...modelEntries('application'),
  ...modelEntries('token'),
  extraEntry('token', Permissions.viewTokenKey, "View token's key"),
  ...modelEntries('role'),
  extraEntry('role', Permissions.assignRolePermissions, 'Can assign permissions to roles'),
  extraEntry('role', Permissions.unassignRolePermissions, 'Can unassign permissions from roles'),
  ...modelEntries('oauth2Provider'),
  ...modelEntries('authorizationCode'),
  ...modelEntries('accessToken'),
  ...modelEntries('refreshToken'),
  extraEntry('group', Permissions.addUserToGroup, 'Add user to group'),
  extraEntry('group', Permissions.removeUserFromGroup, 'Remove user from group'),
  extraEntry('group', Permissions.enableGroupSuperuser, 'Enable superuser status'),
  extraEntry('group', Permissions.disableGroupSuperuser, 'Disable superuser status'),
  ...modelEntries('certificateKeyPair'),
];

export const PERMISSION_CATALOGUE: readonly CataloguedPermission[] = ENTRIES.map(
  (permissionEntry, index) => ({ id: index + 1, ...permissionEntry }),
);

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
