import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsDefined, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Messages } from '../../common/validation/messages.js';

const INT4_MAX = 2_147_483_647;

@ApiSchema({ name: 'RevokeGrantsRequest', description: "Revoke a user's grants" })
export class RevokeGrantsRequest {
  @ApiProperty({ description: 'The user whose grants to revoke.' })
  @IsDefined({ message: Messages.required })
  @IsInt({ message: Messages.integer })
  @Min(1, { message: Messages.integer })
  @Max(INT4_MAX, { message: Messages.integer })
  user: number;

  @ApiPropertyOptional({ description: 'Only the grants of this OAuth2 provider.' })
  @IsOptional()
  @IsInt({ message: Messages.integer })
  @Min(1, { message: Messages.integer })
  @Max(INT4_MAX, { message: Messages.integer })
  provider?: number;
}

@ApiSchema({ name: 'RevokedGrants', description: 'How many grants a revocation removed' })
export class RevokedGrantsResponse {
  @ApiProperty({ description: 'Authorization codes deleted.' })
  authorization_codes: number;

  @ApiProperty({ description: 'Access tokens deleted.' })
  access_tokens: number;

  @ApiProperty({ description: 'Refresh tokens marked revoked.' })
  refresh_tokens: number;
}
