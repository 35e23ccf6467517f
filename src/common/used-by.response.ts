import { ApiProperty, ApiSchema } from '@nestjs/swagger';

export const USED_BY_ACTIONS = ['cascade', 'cascade_many', 'set_null', 'set_default'] as const;

/** An object that references another one (authentik's `used_by` actions). */
@ApiSchema({ name: 'UsedBy', description: 'A list of all objects referencing the queried object' })
export class UsedByResponse {
  @ApiProperty() app: string;
  @ApiProperty() model_name: string;
  @ApiProperty() pk: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: USED_BY_ACTIONS, enumName: 'UsedByActionEnum' }) action: string;
}
