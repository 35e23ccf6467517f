import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { StringField } from './body-fields.js';

/** authentik's Role.name is a TextField(max_length=150). */
export const ROLE_NAME_MAX_LENGTH = 150;

@ApiSchema({ name: 'RoleRequest', description: 'Role serializer' })
export class RoleRequest {
  @ApiProperty({ minLength: 1, maxLength: ROLE_NAME_MAX_LENGTH })
  @StringField({ required: true, maxLength: ROLE_NAME_MAX_LENGTH })
  name: string;
}

@ApiSchema({ name: 'PatchedRoleRequest', description: 'Role serializer' })
export class PatchedRoleRequest {
  @ApiPropertyOptional({ minLength: 1, maxLength: ROLE_NAME_MAX_LENGTH })
  @StringField({ maxLength: ROLE_NAME_MAX_LENGTH })
  name?: string;
}
