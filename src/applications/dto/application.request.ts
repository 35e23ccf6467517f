import { ApiSchema } from '@nestjs/swagger';
import {
  BooleanField,
  ChoiceField,
  IntegerPkField,
  IntegerPkListField,
  rule,
  SlugField,
  TextField,
} from '../../common/validation/body-fields.js';
import { POLICY_ENGINE_MODES, type PolicyEngineMode } from '../application.entity.js';
import { launchUrlProblem, SLUG_MAX_LENGTH } from '../application.rules.js';

/** Like the providers API, this one has always kept its text exactly as sent (DRF would trim). */
const AS_SENT = { trim: false } as const;

/**
 * The writable fields of an application, in authentik's order. `partial` makes every field
 * optional (PATCH); otherwise name and slug are required (POST, PUT). `pk` and the `*_obj`
 * fields are not declared, so the pipe drops them.
 */
function applicationRequestFields(partial: boolean) {
  const required = !partial;
  class ApplicationRequestFields {
    @TextField({ ...AS_SENT, required, description: "Application's display Name." })
    name?: string;

    @SlugField({
      ...AS_SENT,
      required,
      maxLength: SLUG_MAX_LENGTH,
      description: 'Internal application name, used in URLs.',
    })
    slug?: string;

    @IntegerPkField({ nullable: true })
    provider?: number | null;

    @IntegerPkListField()
    backchannel_providers?: number[];

    @BooleanField({ description: 'Open launch URL in a new browser tab or window.' })
    open_in_new_tab?: boolean;

    @TextField({
      ...AS_SENT,
      allowBlank: true,
      rules: [
        rule(
          (value) => launchUrlProblem(value as string) === undefined,
          (value) => launchUrlProblem(value as string)!,
        ),
      ],
    })
    meta_launch_url?: string;

    @ChoiceField(POLICY_ENGINE_MODES, { enumName: 'PolicyEngineMode' })
    policy_engine_mode?: PolicyEngineMode;

    @TextField({ ...AS_SENT, allowBlank: true })
    group?: string;
  }
  return ApplicationRequestFields;
}

@ApiSchema({ name: 'ApplicationRequest', description: 'Application Serializer' })
export class ApplicationRequest extends applicationRequestFields(false) {}

@ApiSchema({ name: 'PatchedApplicationRequest', description: 'Application Serializer' })
export class PatchedApplicationRequest extends applicationRequestFields(true) {}

export type ApplicationWrite = PatchedApplicationRequest;
