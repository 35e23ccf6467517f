/** What distinguishes one grant resource from another; everything else is shared. */
export interface GrantKind {
  table: string;
  /** authentik's model name, used in 404 bodies: `No <modelName> matches the given query.` */
  modelName: string;
  viewPermission: string;
  deletePermission: string;
}
