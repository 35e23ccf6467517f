import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'Role', description: 'Role serializer' })
export class RoleResponse {
  @ApiProperty({ format: 'uuid', readOnly: true })
  pk: string;

  @ApiProperty({ maxLength: 150 })
  name: string;
}
