import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { OAuth2ProviderResponse } from '../../oauth2-providers/dto/oauth2-provider.response.js';
import { UserResponse } from '../../users/dto/user.response.js';

@ApiSchema({
  name: 'ExpiringBaseGrantModel',
  description: 'Serializer for BaseGrantModel and ExpiringBaseGrant',
})
export class GrantResponse {
  @ApiProperty({ readOnly: true, title: 'ID' })
  pk: number;

  @ApiProperty({ type: OAuth2ProviderResponse })
  provider: OAuth2ProviderResponse;

  @ApiProperty({ type: UserResponse })
  user: UserResponse;

  @ApiProperty({ readOnly: true, description: 'Check if token is expired yet.' })
  is_expired: boolean;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expires: string | null;

  @ApiProperty({ type: [String] })
  scope: string[];
}
