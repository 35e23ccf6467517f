import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  BooleanField,
  ChoiceField,
  DateTimeField,
  IntegerPkField,
  SLUG,
  SLUG_MESSAGE,
  StringField,
} from '../../rbac/dto/body-fields.js';
import { TOKEN_INTENTS, type TokenIntent } from '../token.entity.js';

const IDENTIFIER_MAX_LENGTH = 255;

/*
 * What a client may write. `pk`, `managed`, `user_obj` and the key are not declared, so the
 * validation pipe drops them; `user` and `expiring` are honoured for superusers only (service).
 */
@ApiSchema({ name: 'TokenRequest', description: 'Token Serializer' })
export class TokenRequest {
  @ApiProperty({ minLength: 1, maxLength: IDENTIFIER_MAX_LENGTH, pattern: SLUG.source })
  @StringField({ required: true, maxLength: IDENTIFIER_MAX_LENGTH, pattern: [SLUG, SLUG_MESSAGE] })
  identifier: string;

  @ApiPropertyOptional({
    enum: TOKEN_INTENTS,
    enumName: 'IntentEnum',
    description: 'Only `api` (the default) and `app_password` tokens can be created.',
  })
  @ChoiceField(TOKEN_INTENTS)
  intent?: TokenIntent;

  @ApiPropertyOptional({
    type: 'integer',
    description: "The token's owner: superusers only; everyone else's tokens are their own.",
  })
  @IntegerPkField()
  user?: number;

  @ApiPropertyOptional()
  @StringField({ allowBlank: true })
  description?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Default for an expiring token: 30 minutes from now.',
  })
  @DateTimeField({ nullable: true })
  expires?: string | null;

  @ApiPropertyOptional({
    description:
      'Superusers only; for everyone else it follows the attribute ' +
      '`goauthentik.io/user/token-expires` of their user (default true).',
  })
  @BooleanField()
  expiring?: boolean;
}

@ApiSchema({ name: 'PatchedTokenRequest', description: 'Token Serializer' })
export class PatchedTokenRequest {
  @ApiPropertyOptional({ minLength: 1, maxLength: IDENTIFIER_MAX_LENGTH, pattern: SLUG.source })
  @StringField({ maxLength: IDENTIFIER_MAX_LENGTH, pattern: [SLUG, SLUG_MESSAGE] })
  identifier?: string;

  @ApiPropertyOptional({ enum: TOKEN_INTENTS, enumName: 'IntentEnum' })
  @ChoiceField(TOKEN_INTENTS)
  intent?: TokenIntent;

  @ApiPropertyOptional({ type: 'integer', description: 'Superusers only.' })
  @IntegerPkField()
  user?: number;

  @ApiPropertyOptional()
  @StringField({ allowBlank: true })
  description?: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @DateTimeField({ nullable: true })
  expires?: string | null;

  @ApiPropertyOptional({ description: 'Superusers only.' })
  @BooleanField()
  expiring?: boolean;
}
