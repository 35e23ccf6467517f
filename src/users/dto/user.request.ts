import { ApiSchema, PartialType } from '@nestjs/swagger';
import {
  BooleanField,
  ChoiceField,
  DictField,
  EmailField,
  rule,
  TextField,
  UuidListField,
} from '../../common/validation/body-fields.js';
import { USER_TYPES, type UserType } from '../user.entity.js';

/** authentik's UserSerializer.validate_path. */
const PATH_RULES = [
  rule(
    (value) => !(value as string).startsWith('/') && !(value as string).endsWith('/'),
    'No leading or trailing slashes allowed.',
  ),
  rule(
    (value) => !(value as string).split('/').includes(''),
    'No empty segments in user path allowed.',
  ),
];

/**
 * The writable fields of a user. Everything else a body may carry (pk, uid, is_superuser,
 * groups_obj, last_login, password...) is dropped by the ValidationPipe's whitelist.
 */
@ApiSchema({ name: 'UserRequest', description: 'User Serializer' })
export class UserRequest {
  @TextField({ required: true, maxLength: 150 })
  username: string;

  @TextField({ required: true, allowBlank: true, description: "User's display name." })
  name: string;

  @BooleanField({
    description:
      'Designates whether this user should be treated as active. Unselect this instead of deleting accounts.',
  })
  is_active?: boolean;

  @UuidListField()
  groups?: string[];

  @EmailField({ maxLength: 254 })
  email?: string;

  @DictField()
  attributes?: Record<string, unknown>;

  @TextField({ rules: PATH_RULES })
  path?: string;

  @ChoiceField(USER_TYPES, { enumName: 'UserTypeEnum' })
  type?: UserType;
}

@ApiSchema({ name: 'PatchedUserRequest', description: 'User Serializer' })
export class PatchedUserRequest extends PartialType(UserRequest, { skipNullProperties: false }) {}

@ApiSchema({
  name: 'UserPasswordSetRequest',
  description: "Payload to set a users' password directly",
})
export class UserPasswordSetRequest {
  /** Kept exactly as given: passwords are not trimmed. */
  @TextField({ required: true, trim: false })
  password: string;
}
