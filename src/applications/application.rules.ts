/** Value rules of an application's fields. */
import { SLUG_PATTERN } from '../common/validation/body-fields.js';

export const SLUG_MAX_LENGTH = 50;

export const isSlug = (value: string) =>
  value.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(value);

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\S+$/;
/** Schemes that would run code or carry content when the launch link is followed. */
const FORBIDDEN_SCHEMES = new Set(['javascript', 'data', 'vbscript']);

/**
 * Why `meta_launch_url` is unusable, or undefined: blank (no launch URL), or an absolute URL the
 * WHATWG parser accepts, without whitespace, whose scheme is not javascript:, data: or vbscript:
 * (the launch URL is rendered as a link).
 */
export function launchUrlProblem(value: string): string | undefined {
  if (value === '') return undefined;
  const match = SCHEME.exec(value);
  if (!match || !URL.canParse(value) || FORBIDDEN_SCHEMES.has(match[1]!.toLowerCase())) {
    return 'Enter a valid URL.';
  }
  return undefined;
}
