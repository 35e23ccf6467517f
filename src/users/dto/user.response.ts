import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { UserGroupResponse } from '../../groups/dto/user-group.response.js';
import { USER_TYPES, type UserType } from '../user.entity.js';

@ApiSchema({ name: 'User', description: 'User Serializer' })
export class UserResponse {
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

  @ApiProperty({ readOnly: true })
  is_superuser: boolean;

  @ApiProperty({ type: [String], format: 'uuid' })
  groups: string[];

  @ApiProperty({ type: [UserGroupResponse], nullable: true, readOnly: true })
  groups_obj: UserGroupResponse[] | null;

  @ApiProperty({ format: 'email', maxLength: 254 })
  email: string;

  @ApiProperty({
    readOnly: true,
    description: "User's avatar, either a http/https URL or a data URI",
  })
  avatar: string;

  @ApiProperty({ type: 'object', additionalProperties: {} })
  attributes: Record<string, unknown>;

  @ApiProperty({ readOnly: true })
  uid: string;

  @ApiProperty()
  path: string;

  @ApiProperty({ enum: USER_TYPES, enumName: 'UserTypeEnum' })
  type: UserType;

  @ApiProperty({ format: 'uuid', readOnly: true })
  uuid: string;
}
