/**
 * The public API of the `grants-api` package: everything a host application may import. Anything
 * not exported here is internal and may change in any release (README, "Versioning").
 */

// The whole API as a module, its options, and the schema it needs.
export { GrantsApiModule, GRANTS_API_FEATURES } from './grants-api.module.js';
export {
  DEFAULT_ROUTE_PREFIX,
  GRANTS_API_OPTIONS,
  resolveGrantsApiConfig,
  type GrantsApiConfig,
  type GrantsApiExtras,
  type GrantsApiOptions,
} from './grants-api.options.js';
export { APP_CONFIG as GRANTS_API_CONFIG } from './config/config.module.js';
export { ENTITIES as GRANTS_API_ENTITIES } from './database/entities.js';
export { MIGRATIONS as GRANTS_API_MIGRATIONS } from './database/migrations/index.js';
export { buildDataSourceOptions, type DatabaseTuning } from './database/data-source-options.js';

// Feature modules, each usable on its own, and the services they export.
export { GrantsModule } from './grants/grants.module.js';
export { AuthorizationCodesModule } from './authorization-codes/authorization-codes.module.js';
export { AccessTokensModule } from './access-tokens/access-tokens.module.js';
export { RefreshTokensModule } from './refresh-tokens/refresh-tokens.module.js';
export { UsersModule } from './users/users.module.js';
export { GroupsModule } from './groups/groups.module.js';
export { RbacModule } from './rbac/rbac.module.js';
export { OAuth2ProvidersModule } from './oauth2-providers/oauth2-providers.module.js';
export { ApplicationsModule } from './applications/applications.module.js';
export { TokensModule } from './tokens/tokens.module.js';
export { GrantsService } from './grants/grants.service.js';
export { GrantRevocationService, type RevokedGrants } from './grants/grant-revocation.service.js';
export { GrantCleanupService, type CleanupReport } from './grants/grant-cleanup.service.js';
export type { GrantKind } from './grants/grant-kind.js';
export { AUTHORIZATION_CODES } from './authorization-codes/authorization-codes.kind.js';
export { ACCESS_TOKENS } from './access-tokens/access-tokens.kind.js';
export { REFRESH_TOKENS } from './refresh-tokens/refresh-tokens.kind.js';
export { UsersService } from './users/users.service.js';
export { GroupsService } from './groups/groups.service.js';
export { RolesService } from './rbac/roles.service.js';
export { PermissionsService } from './rbac/permissions.service.js';
export { OAuth2ProvidersService } from './oauth2-providers/oauth2-providers.service.js';
export { ApplicationsService } from './applications/applications.service.js';
export { TokensService } from './tokens/tokens.service.js';

// Entities, for a host's relations to them (e.g. a row owned by a User).
export { User } from './users/user.entity.js';
export { Group } from './groups/group.entity.js';
export { Role } from './rbac/role.entity.js';
export { OAuth2Provider } from './oauth2-providers/oauth2-provider.entity.js';
export { Application } from './applications/application.entity.js';
export { Token } from './tokens/token.entity.js';
export { AuthorizationCode } from './authorization-codes/authorization-code.entity.js';
export { AccessToken } from './access-tokens/access-token.entity.js';
export { RefreshToken } from './refresh-tokens/refresh-token.entity.js';

// Building blocks: permissions and bearer authentication.
export {
  Access,
  OtherMethodsNotAllowed,
  Public,
  type AccessOptions,
} from './common/auth/access.decorator.js';
export { ACCESS_KEY, accessRuleOf, type AccessRule } from './common/auth/access-rule.js';
export { AuthGuard, type AuthenticatedRequest } from './common/auth/auth.guard.js';
export { RequireAccessRuleGuard } from './common/auth/access-rule.guard.js';
export { PrincipalService } from './common/auth/principal.service.js';
export { CurrentPrincipal } from './common/auth/current-principal.decorator.js';
export {
  hasGlobalPermission,
  hasPermissionOn,
  objectPksWith,
  requireOwnerOrPermissionOn,
  requirePermissionOn,
  type Principal,
} from './common/auth/principal.js';
export { whereVisible, type Visibility } from './common/auth/visibility.js';
export {
  modelPermission,
  modelPermissions,
  Models,
  permission,
  Permissions,
  type ModelVerb,
  type PermissionModel,
} from './common/auth/permissions.js';

// Building blocks: authentik-style paginated lists.
export {
  ListQuery,
  ListRules,
  listRulesOf,
  SearchQuery,
  WithPageParameters,
  type ListRulesOptions,
} from './common/pagination/list-query.js';
export {
  PaginatedList,
  type PaginatedListOptions,
} from './common/pagination/paginated-list.decorator.js';
export { ListPaginator } from './common/pagination/list-paginator.js';
export {
  paginate,
  paginateList,
  type OrderingRules,
  type Page,
  type PageParameters,
  type PageSizes,
} from './common/pagination/paginate.js';
export { Paginated, paginationOf, type Pagination } from './common/pagination/paginated.js';
export { PaginationInterceptor } from './common/pagination/pagination.interceptor.js';
export { ApiPaginatedResponse, paginatedSchema } from './common/pagination/pagination.schema.js';

// Building blocks: validation into DRF's 400 bodies.
export { ValidationPipe } from './common/validation/validation.pipe.js';
export {
  INVALID_CHOICE,
  NoNullCharacters,
  References,
  type ReferenceOptions,
} from './common/validation/query-rules.js';
export { confirmReferences } from './common/validation/references.js';
export { ChoiceFilter, TextFilter } from './oauth2-providers/dto/filter-rules.js';
export {
  BooleanField,
  ChoiceField,
  DateTimeField,
  DictField,
  EmailField,
  IntegerField,
  IntegerPkField,
  IntegerPkListField,
  rule,
  SlugField,
  TextField,
  TextListField,
  UuidField,
  UuidListField,
  type ChoiceOptions,
  type FieldOptions,
  type Rule,
  type TextOptions,
  type UuidListOptions,
} from './common/validation/body-fields.js';
export { Messages } from './common/validation/messages.js';

// Building blocks: the contract's error bodies.
export { ErrorsFilter } from './common/errors/errors.filter.js';
export {
  ApiError,
  DetailError,
  invalidPage,
  methodNotAllowed,
  noMatch,
  notAuthenticated,
  notFound,
  permissionDenied,
  tokenInvalid,
  ValidationError,
} from './common/errors/api-errors.js';
export {
  GenericError as GenericErrorSchema,
  ValidationError as ValidationErrorSchema,
} from './common/errors/error.schemas.js';
