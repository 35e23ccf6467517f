import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { UserResponse } from './user.response.js';

/** `GET core/users/me/`: the caller, as the User of contract §5.2 (issue 4). */
@ApiSchema({ name: 'SessionUser', description: 'Response for the /user/me endpoint' })
export class SessionUserResponse {
  @ApiProperty({ type: UserResponse })
  user: UserResponse;
}
