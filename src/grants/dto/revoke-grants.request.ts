import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IntegerField, rule } from '../../common/validation/body-fields.js';
import { Messages } from '../../common/validation/messages.js';
import { isStorableIntegerPk } from '../../common/validation/primary-keys.js';

/** A number no SERIAL column holds is not a usable integer here either. */
const SERIAL_RULES = [rule((value) => isStorableIntegerPk(value as number), Messages.integer)];

@ApiSchema({ name: 'RevokeGrantsRequest', description: "Revoke a user's grants" })
export class RevokeGrantsRequest {
  @IntegerField({
    required: true,
    rules: SERIAL_RULES,
    description: 'The user whose grants to revoke.',
  })
  user: number;

  @IntegerField({ rules: SERIAL_RULES, description: 'Only the grants of this OAuth2 provider.' })
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
