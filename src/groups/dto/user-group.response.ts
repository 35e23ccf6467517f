import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'UserGroup', description: "Simplified Group Serializer for user's groups" })
export class UserGroupResponse {
  @ApiProperty({ format: 'uuid', readOnly: true })
  pk: string;

  @ApiProperty({ readOnly: true, description: 'Get a numerical, int32 ID for the group' })
  num_pk: number;

  @ApiProperty()
  name: string;

  @ApiProperty({ description: 'Users added to this group will be superusers.' })
  is_superuser: boolean;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  parent: string | null;

  @ApiProperty({ readOnly: true, nullable: true, type: String })
  parent_name: string | null;

  @ApiProperty({ type: 'object', additionalProperties: {} })
  attributes: Record<string, unknown>;
}
