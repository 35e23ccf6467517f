import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  CLIENT_TYPES,
  ISSUER_MODES,
  SUB_MODES,
  type ClientType,
  type IssuerMode,
  type SubMode,
} from '../oauth2-provider.entity.js';

const VALIDITY_FORMAT = '(Format: hours=1;minutes=2;seconds=3).';

@ApiSchema({ name: 'OAuth2Provider', description: 'OAuth2Provider Serializer' })
export class OAuth2ProviderResponse {
  @ApiProperty({ readOnly: true, title: 'ID' })
  pk: number;

  @ApiProperty()
  name: string;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      'Flow used for authentication when the associated application is accessed by an un-authenticated user.',
  })
  authentication_flow: string | null;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Flow used when authorizing this provider.',
  })
  authorization_flow: string | null;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Flow used ending the session from a provider.',
  })
  invalidation_flow: string | null;

  @ApiProperty({ type: [String], format: 'uuid' })
  property_mappings: string[];

  @ApiProperty({
    readOnly: true,
    description: 'Get object component so that we know how to edit the object',
  })
  component: string;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description: 'Internal application name, used in URLs.',
  })
  assigned_application_slug: string | null;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description: "Application's display Name.",
  })
  assigned_application_name: string | null;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description: 'Internal application name, used in URLs.',
  })
  assigned_backchannel_application_slug: string | null;

  @ApiProperty({
    readOnly: true,
    nullable: true,
    type: String,
    description: "Application's display Name.",
  })
  assigned_backchannel_application_name: string | null;

  @ApiProperty({ readOnly: true, description: "Return object's verbose_name" })
  verbose_name: string;

  @ApiProperty({ readOnly: true, description: "Return object's plural verbose_name" })
  verbose_name_plural: string;

  @ApiProperty({ readOnly: true, description: 'Return internal model name' })
  meta_model_name: string;

  @ApiProperty({
    enum: CLIENT_TYPES,
    enumName: 'ClientTypeEnum',
    description:
      'Confidential clients are capable of maintaining the confidentiality of their credentials. Public clients are incapable',
  })
  client_type: ClientType;

  @ApiProperty({ maxLength: 255 })
  client_id: string;

  @ApiProperty({ maxLength: 255 })
  client_secret: string;

  @ApiProperty({
    description: `Access codes not valid on or after current time + this value ${VALIDITY_FORMAT}`,
  })
  access_code_validity: string;

  @ApiProperty({
    description: `Tokens not valid on or after current time + this value ${VALIDITY_FORMAT}`,
  })
  access_token_validity: string;

  @ApiProperty({
    description: `Tokens not valid on or after current time + this value ${VALIDITY_FORMAT}`,
  })
  refresh_token_validity: string;

  @ApiProperty({
    description:
      "Include User claims from scopes in the id_token, for applications that don't access the userinfo endpoint.",
  })
  include_claims_in_id_token: boolean;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Key used to sign the tokens.',
  })
  signing_key: string | null;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      'Key used to encrypt the tokens. When set, tokens will be encrypted and returned as JWEs.',
  })
  encryption_key: string | null;

  @ApiProperty({ description: 'Enter each URI on a new line.' })
  redirect_uris: string;

  @ApiProperty({
    enum: SUB_MODES,
    enumName: 'SubModeEnum',
    description:
      'Configure what data should be used as unique User Identifier. For most cases, the default should be fine.',
  })
  sub_mode: SubMode;

  @ApiProperty({
    enum: ISSUER_MODES,
    enumName: 'IssuerModeEnum',
    description: 'Configure how the issuer field of the ID Token should be filled.',
  })
  issuer_mode: IssuerMode;

  @ApiProperty({ type: [String], format: 'uuid' })
  jwks_sources: string[];
}
