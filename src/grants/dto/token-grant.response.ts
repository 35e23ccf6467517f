import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { GrantResponse } from './grant.response.js';

@ApiSchema({ name: 'TokenModel', description: 'Serializer for BaseGrantModel and RefreshToken' })
export class TokenGrantResponse extends GrantResponse {
  @ApiProperty({ readOnly: true, description: 'The issued ID token claims, as JSON.' })
  id_token: string;

  @ApiProperty()
  revoked: boolean;
}
