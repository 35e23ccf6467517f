import { ApiSchema } from '@nestjs/swagger';
import { TextField } from '../../common/validation/body-fields.js';

/** authentik's Role.name is a TextField(max_length=150). */
export const ROLE_NAME_MAX_LENGTH = 150;

const NAME = { maxLength: ROLE_NAME_MAX_LENGTH, schema: { minLength: 1 } };

@ApiSchema({ name: 'RoleRequest', description: 'Role serializer' })
export class RoleRequest {
  @TextField({ ...NAME, required: true })
  name: string;
}

@ApiSchema({ name: 'PatchedRoleRequest', description: 'Role serializer' })
export class PatchedRoleRequest {
  @TextField(NAME)
  name?: string;
}
