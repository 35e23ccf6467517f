import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { OAuth2ProviderResponse } from '../../oauth2-providers/dto/oauth2-provider.response.js';
import { POLICY_ENGINE_MODES, type PolicyEngineMode } from '../application.entity.js';

/**
 * authentik's Application, restricted to what this service stores. `backchannel_providers_obj`
 * is kept because authentik's generated client cannot decode an application without it.
 */
@ApiSchema({ name: 'Application', description: 'Application Serializer' })
export class ApplicationResponse {
  @ApiProperty({ readOnly: true, format: 'uuid', title: 'Pk' })
  pk: string;

  @ApiProperty({ description: "Application's display Name." })
  name: string;

  @ApiProperty({
    description: 'Internal application name, used in URLs.',
    maxLength: 50,
    pattern: '^[-a-zA-Z0-9_]+$',
  })
  slug: string;

  @ApiProperty({ type: 'integer', nullable: true })
  provider: number | null;

  @ApiProperty({ type: OAuth2ProviderResponse, readOnly: true, nullable: true })
  provider_obj: OAuth2ProviderResponse | null;

  @ApiProperty({ type: 'integer', isArray: true })
  backchannel_providers: number[];

  @ApiProperty({ type: OAuth2ProviderResponse, isArray: true, readOnly: true })
  backchannel_providers_obj: OAuth2ProviderResponse[];

  @ApiProperty({ description: 'Open launch URL in a new browser tab or window.' })
  open_in_new_tab: boolean;

  @ApiProperty()
  meta_launch_url: string;

  @ApiProperty({ enum: POLICY_ENGINE_MODES, enumName: 'PolicyEngineMode' })
  policy_engine_mode: PolicyEngineMode;

  @ApiProperty()
  group: string;
}
