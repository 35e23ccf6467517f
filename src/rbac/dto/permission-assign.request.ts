import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ChoiceField, TextField, TextListField } from '../../common/validation/body-fields.js';
import { PERMISSION_TARGETS } from '../permission-catalogue.js';

const MODEL_NAMES = PERMISSION_TARGETS.map((target) => target.name);

/**
 * Global permissions when neither `model` nor `object_pk` is given; otherwise permissions on the
 * one object `object_pk` of `model` (both are then required).
 */
@ApiSchema({ name: 'PermissionAssignRequest', description: 'Request to assign a new permission' })
export class PermissionAssignRequest {
  @TextListField({ required: true, description: 'Permission names, as `app_label.codename`.' })
  permissions: string[];

  @ChoiceField(MODEL_NAMES, { enumName: 'ModelEnum' })
  model?: string;

  @TextField({ schema: { minLength: 1 } })
  object_pk?: string;
}

/** The body of `unassign` (a PATCH): the same fields, the same rules. */
@ApiSchema({
  name: 'PatchedPermissionAssignRequest',
  description: 'Request to assign a new permission',
})
export class PatchedPermissionAssignRequest extends PermissionAssignRequest {}

@ApiSchema({ name: 'PermissionAssignResult', description: 'Result from assigning permissions' })
export class PermissionAssignResult {
  @ApiProperty()
  id: string;
}
