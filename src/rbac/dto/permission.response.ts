import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'Permission', description: 'Global permission' })
export class PermissionResponse {
  @ApiProperty({ readOnly: true, title: 'ID' })
  id: number;

  @ApiProperty({ maxLength: 255 })
  name: string;

  @ApiProperty({ maxLength: 100 })
  codename: string;

  @ApiProperty({ readOnly: true })
  model: string;

  @ApiProperty({ readOnly: true })
  app_label: string;

  @ApiProperty({ readOnly: true, description: 'Human-readable app label' })
  app_label_verbose: string;

  @ApiProperty({ readOnly: true, description: 'Human-readable model name' })
  model_verbose: string;
}
