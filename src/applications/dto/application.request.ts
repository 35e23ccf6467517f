import { ApiSchema } from '@nestjs/swagger';
import {
  BooleanField,
  ChoiceField,
  IntegerPkField,
  IntegerPkListField,
  rule,
  TextField,
} from '../../oauth2-providers/dto/body-fields.js';
import { POLICY_ENGINE_MODES, type PolicyEngineMode } from '../application.entity.js';
import { launchUrlProblem, SLUG_MESSAGE, SLUG_PATTERN } from '../application.rules.js';

/**
 * The writable fields of an application, in authentik's order. `partial` makes every field
 * optional (PATCH); otherwise name and slug are required (POST, PUT). `pk` and the `*_obj`
 * fields are not declared, so the pipe drops them.
 */
function applicationRequestFields(partial: boolean) {
  const required = !partial;
  class ApplicationRequestFields {
    @TextField({ required, description: "Application's display Name." })
    name?: string;

    @TextField({
      required,
      maxLength: 50,
      description: 'Internal application name, used in URLs.',
      schema: { pattern: SLUG_PATTERN.source },
      rules: [rule('slug', (value) => SLUG_PATTERN.test(value as string), SLUG_MESSAGE)],
    })
    slug?: string;

    @IntegerPkField({ nullable: true })
    provider?: number | null;

    @IntegerPkListField()
    backchannel_providers?: number[];

    @BooleanField({ description: 'Open launch URL in a new browser tab or window.' })
    open_in_new_tab?: boolean;

    @TextField({
      allowBlank: true,
      rules: [
        rule(
          'launchUrl',
          (value) => launchUrlProblem(value as string) === undefined,
          (value) => launchUrlProblem(value as string)!,
        ),
      ],
    })
    meta_launch_url?: string;

    @ChoiceField(POLICY_ENGINE_MODES, { enumName: 'PolicyEngineMode' })
    policy_engine_mode?: PolicyEngineMode;

    @TextField({ allowBlank: true })
    group?: string;
  }
  return ApplicationRequestFields;
}

@ApiSchema({ name: 'ApplicationRequest', description: 'Application Serializer' })
export class ApplicationRequest extends applicationRequestFields(false) {}

@ApiSchema({ name: 'PatchedApplicationRequest', description: 'Application Serializer' })
export class PatchedApplicationRequest extends applicationRequestFields(true) {}

export type ApplicationWrite = PatchedApplicationRequest;
