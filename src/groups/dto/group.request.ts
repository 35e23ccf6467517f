import { ApiSchema, PartialType } from '@nestjs/swagger';
import {
  BooleanField,
  DictField,
  IntegerPkField,
  IntegerPkListField,
  TextField,
  UuidField,
  UuidListField,
} from '../../common/validation/body-fields.js';

/** The writable fields of a group; anything else in a body is dropped by the ValidationPipe. */
@ApiSchema({ name: 'GroupRequest', description: 'Group Serializer' })
export class GroupRequest {
  @TextField({ required: true })
  name: string;

  @BooleanField({ description: 'Users added to this group will be superusers.' })
  is_superuser?: boolean;

  @UuidField({ nullable: true })
  parent?: string | null;

  @IntegerPkListField()
  users?: number[];

  @DictField()
  attributes?: Record<string, unknown>;

  @UuidListField()
  roles?: string[];
}

@ApiSchema({ name: 'PatchedGroupRequest', description: 'Group Serializer' })
export class PatchedGroupRequest extends PartialType(GroupRequest, {
  skipNullProperties: false,
}) {}

/** `add_user` / `remove_user`: the user's pk. */
@ApiSchema({ name: 'UserAccountRequest', description: 'Account adding/removing operations' })
export class UserAccountRequest {
  @IntegerPkField({ required: true })
  pk: number;
}
