import type { Type } from '@nestjs/common';

/**
 * Everything that distinguishes one grant resource from another; the service, controller, query
 * DTOs and tests are shared. A new grant type is a table, a kind and one line in GrantsModule.
 */
export interface GrantKind {
  table: string;
  /** authentik's model name, used in 404 bodies: `No <modelName> matches the given query.` */
  modelName: string;
  viewPermission: string;
  deletePermission: string;
  /** Issued tokens add `id_token` and `revoked` to the item (and `revoked` to the ordering). */
  issuedToken: boolean;
  routes: {
    /** Path under /api/v3/. */
    path: string;
    /** authentik's operation-id stem: `<stem>_list`, `<stem>_retrieve`, ... */
    operationStem: string;
    /** Name used in authentik's descriptions ("AuthorizationCode Viewset"). */
    viewset: string;
    /** Human name of one row, for the path parameter's description. */
    verboseName: string;
    item: Type<unknown>;
    /** OpenAPI component of a page of items. */
    pageSchema: string;
  };
}
