import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { UserResponse } from '../../users/dto/user.response.js';
import { TOKEN_INTENTS, type TokenIntent } from '../token.entity.js';

@ApiSchema({ name: 'Token', description: 'Token Serializer' })
export class TokenResponse {
  @ApiProperty({ format: 'uuid', readOnly: true, title: 'Token uuid' })
  pk: string;

  @ApiProperty({
    nullable: true,
    type: String,
    readOnly: true,
    title: 'Managed by authentik',
    description:
      'Objects that are managed by authentik. These objects are created and updated ' +
      'automatically. This flag only indicates that an object can be overwritten by ' +
      'migrations. You can still modify the objects via the API, but expect changes to be ' +
      'overwritten in a later update.',
  })
  managed: string | null;

  @ApiProperty({ maxLength: 255, pattern: '^[-a-zA-Z0-9_]+$' })
  identifier: string;

  @ApiPropertyOptional({
    readOnly: true,
    description:
      'The key: only in the answer to create. Read it back later with ' +
      '`GET /core/tokens/{identifier}/view_key/`.',
  })
  key?: string;

  @ApiProperty({ enum: TOKEN_INTENTS, enumName: 'IntentEnum' })
  intent: TokenIntent;

  @ApiProperty({ type: 'integer' })
  user: number;

  @ApiProperty({ type: UserResponse, readOnly: true })
  user_obj: UserResponse;

  @ApiProperty()
  description: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expires: string | null;

  @ApiProperty()
  expiring: boolean;
}

@ApiSchema({ name: 'TokenView', description: "Show token's current key" })
export class TokenViewResponse {
  @ApiProperty({ readOnly: true })
  key: string;
}
