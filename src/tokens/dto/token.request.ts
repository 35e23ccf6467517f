import { ApiSchema } from '@nestjs/swagger';
import {
  BooleanField,
  ChoiceField,
  DateTimeField,
  IntegerPkField,
  rule,
  SlugField,
  TextField,
} from '../../common/validation/body-fields.js';
import { Messages } from '../../common/validation/messages.js';
import { isStorableIntegerPk } from '../../common/validation/primary-keys.js';
import { TOKEN_INTENTS, type TokenIntent } from '../token.entity.js';

const IDENTIFIER = { maxLength: 255, schema: { minLength: 1 } };
const INTENT = { enumName: 'IntentEnum' };
/** Numbers no SERIAL column holds name no user (and never reach the database). */
const USER_RULES = [rule((value) => isStorableIntegerPk(value as number), Messages.doesNotExist)];

/*
 * What a client may write. `pk`, `managed`, `user_obj` and the key are not declared, so the
 * validation pipe drops them; `user` and `expiring` are honoured for superusers only (service).
 */
@ApiSchema({ name: 'TokenRequest', description: 'Token Serializer' })
export class TokenRequest {
  @SlugField({ ...IDENTIFIER, required: true })
  identifier: string;

  @ChoiceField(TOKEN_INTENTS, {
    ...INTENT,
    description: 'Only `api` (the default) and `app_password` tokens can be created.',
  })
  intent?: TokenIntent;

  @IntegerPkField({
    rules: USER_RULES,
    description: "The token's owner: superusers only; everyone else's tokens are their own.",
  })
  user?: number;

  @TextField({ allowBlank: true })
  description?: string;

  @DateTimeField({
    nullable: true,
    description: 'Default for an expiring token: 30 minutes from now.',
  })
  expires?: string | null;

  @BooleanField({
    description:
      'Superusers only; for everyone else it follows the attribute ' +
      '`goauthentik.io/user/token-expires` of their user (default true).',
  })
  expiring?: boolean;
}

@ApiSchema({ name: 'PatchedTokenRequest', description: 'Token Serializer' })
export class PatchedTokenRequest {
  @SlugField(IDENTIFIER)
  identifier?: string;

  @ChoiceField(TOKEN_INTENTS, INTENT)
  intent?: TokenIntent;

  @IntegerPkField({ rules: USER_RULES, description: 'Superusers only.' })
  user?: number;

  @TextField({ allowBlank: true })
  description?: string;

  @DateTimeField({ nullable: true })
  expires?: string | null;

  @BooleanField({ description: 'Superusers only.' })
  expiring?: boolean;
}
