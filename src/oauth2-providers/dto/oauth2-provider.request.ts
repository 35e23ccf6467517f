import { ApiSchema } from '@nestjs/swagger';
import {
  BooleanField,
  ChoiceField,
  rule,
  TextField,
  UuidField,
  UuidListField,
} from '../../common/validation/body-fields.js';
import { Messages } from '../../common/validation/messages.js';
import {
  CLIENT_TYPES,
  ISSUER_MODES,
  SUB_MODES,
  type ClientType,
  type IssuerMode,
  type SubMode,
} from '../oauth2-provider.entity.js';
import { firstRedirectUriProblem, isValidity, validityMessage } from '../oauth2-provider.rules.js';

const VALIDITY_FORMAT = '(Format: hours=1;minutes=2;seconds=3).';

/**
 * Kept for this API's clients: its uuid lists have always answered a malformed item with
 * UUIDField's message (authentik answers Django's `“x” is not a valid UUID.`).
 */
const UUID_LIST = { invalidItem: Messages.uuid };

/**
 * This API has always kept its text exactly as sent, where DRF would trim it: a redirect URI with
 * a leading space is refused, not repaired. White space alone is still blank.
 */
const AS_SENT = { trim: false } as const;

const validity = (description: string, required: boolean) =>
  TextField({
    ...AS_SENT,
    required,
    description,
    rules: [rule((value) => isValidity(value as string), validityMessage)],
  });

/**
 * The writable fields of an OAuth2 provider, in authentik's order. `partial` makes every field
 * optional (PATCH); otherwise `name` is required (POST, PUT). Read-only fields (pk, component,
 * assigned_*, verbose_name*, meta_model_name) are not declared, so the pipe drops them.
 */
function providerRequestFields(partial: boolean) {
  const required = !partial;
  class ProviderRequestFields {
    @TextField({ ...AS_SENT, required })
    name?: string;

    @UuidField({
      nullable: true,
      description:
        'Flow used for authentication when the associated application is accessed by an un-authenticated user.',
    })
    authentication_flow?: string | null;

    @UuidField({ nullable: true, description: 'Flow used when authorizing this provider.' })
    authorization_flow?: string | null;

    @UuidField({ nullable: true, description: 'Flow used ending the session from a provider.' })
    invalidation_flow?: string | null;

    @UuidListField(UUID_LIST)
    property_mappings?: string[];

    @ChoiceField(CLIENT_TYPES, {
      enumName: 'ClientTypeEnum',
      description:
        'Confidential clients are capable of maintaining the confidentiality of their credentials. Public clients are incapable',
    })
    client_type?: ClientType;

    @TextField({ ...AS_SENT, maxLength: 255 })
    client_id?: string;

    @TextField({ ...AS_SENT, maxLength: 255, allowBlank: true })
    client_secret?: string;

    @validity(
      `Access codes not valid on or after current time + this value ${VALIDITY_FORMAT}`,
      false,
    )
    access_code_validity?: string;

    @validity(`Tokens not valid on or after current time + this value ${VALIDITY_FORMAT}`, false)
    access_token_validity?: string;

    @validity(`Tokens not valid on or after current time + this value ${VALIDITY_FORMAT}`, false)
    refresh_token_validity?: string;

    @BooleanField({
      description:
        "Include User claims from scopes in the id_token, for applications that don't access the userinfo endpoint.",
    })
    include_claims_in_id_token?: boolean;

    @UuidField({ nullable: true, description: 'Key used to sign the tokens.' })
    signing_key?: string | null;

    @UuidField({
      nullable: true,
      description:
        'Key used to encrypt the tokens. When set, tokens will be encrypted and returned as JWEs.',
    })
    encryption_key?: string | null;

    @TextField({
      ...AS_SENT,
      allowBlank: true,
      description:
        'Enter each URI on a new line. Each line must be an absolute URI without a fragment.',
      rules: [
        rule(
          (value) => firstRedirectUriProblem(value as string) === undefined,
          (value) => firstRedirectUriProblem(value as string)!,
        ),
      ],
    })
    redirect_uris?: string;

    @ChoiceField(SUB_MODES, {
      enumName: 'SubModeEnum',
      description:
        'Configure what data should be used as unique User Identifier. For most cases, the default should be fine.',
    })
    sub_mode?: SubMode;

    @ChoiceField(ISSUER_MODES, {
      enumName: 'IssuerModeEnum',
      description: 'Configure how the issuer field of the ID Token should be filled.',
    })
    issuer_mode?: IssuerMode;

    @UuidListField(UUID_LIST)
    jwks_sources?: string[];
  }
  return ProviderRequestFields;
}

@ApiSchema({ name: 'OAuth2ProviderRequest', description: 'OAuth2Provider Serializer' })
export class OAuth2ProviderRequest extends providerRequestFields(false) {}

@ApiSchema({ name: 'PatchedOAuth2ProviderRequest', description: 'OAuth2Provider Serializer' })
export class PatchedOAuth2ProviderRequest extends providerRequestFields(true) {}

export type OAuth2ProviderWrite = PatchedOAuth2ProviderRequest;
