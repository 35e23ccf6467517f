import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { RoleResponse } from '../../rbac/dto/role.response.js';

@ApiSchema({
  name: 'GroupMember',
  description: 'Stripped down user serializer to show relevant users for groups',
})
export class GroupMemberResponse {
  @ApiProperty({ readOnly: true })
  pk: number;

  @ApiProperty({ maxLength: 150 })
  username: string;

  @ApiProperty({ description: "User's display name." })
  name: string;

  @ApiProperty({
    description:
      'Designates whether this user should be treated as active. Unselect this instead of deleting accounts.',
  })
  is_active: boolean;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  last_login: string | null;

  @ApiProperty({ format: 'email', maxLength: 254 })
  email: string;

  @ApiProperty({ type: 'object', additionalProperties: {} })
  attributes: Record<string, unknown>;

  @ApiProperty({ readOnly: true })
  uid: string;
}

@ApiSchema({ name: 'Group', description: 'Group Serializer' })
export class GroupResponse {
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

  @ApiProperty({ type: [Number] })
  users: number[];

  @ApiProperty({ type: [GroupMemberResponse], nullable: true, readOnly: true })
  users_obj: GroupMemberResponse[] | null;

  @ApiProperty({ type: 'object', additionalProperties: {} })
  attributes: Record<string, unknown>;

  @ApiProperty({ type: [String], format: 'uuid' })
  roles: string[];

  @ApiProperty({ type: [RoleResponse], readOnly: true })
  roles_obj: RoleResponse[];
}
