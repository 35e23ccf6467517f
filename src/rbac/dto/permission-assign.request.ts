import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { PERMISSION_TARGETS } from '../permission-catalogue.js';
import { ChoiceField, StringField, StringListField } from './body-fields.js';

const MODEL_NAMES = PERMISSION_TARGETS.map((target) => target.name);

/**
 * Global permissions when neither `model` nor `object_pk` is given; otherwise permissions on the
 * one object `object_pk` of `model` (both are then required).
 */
@ApiSchema({ name: 'PermissionAssignRequest', description: 'Request to assign a new permission' })
export class PermissionAssignRequest {
  @ApiProperty({ type: [String], description: 'Permission names, as `app_label.codename`.' })
  @StringListField({ required: true })
  permissions: string[];

  @ApiPropertyOptional({ enum: MODEL_NAMES, enumName: 'ModelEnum' })
  @ChoiceField(MODEL_NAMES)
  model?: string;

  @ApiPropertyOptional({ minLength: 1 })
  @StringField()
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
