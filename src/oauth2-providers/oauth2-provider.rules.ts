/*
 * The value rules of an OAuth2 provider's fields: validity durations and redirect URIs, and the
 * credentials generated when a client sends none.
 */
import { randomInt } from 'node:crypto';

export const VALIDITY_KEYS = [
  'microseconds',
  'milliseconds',
  'seconds',
  'minutes',
  'hours',
  'days',
  'weeks',
] as const;

const VALIDITY_PAIR = new RegExp(`^(${VALIDITY_KEYS.join('|')})=(\\d+(?:\\.\\d+)?)$`);

/**
 * `key=value` pairs joined by `;` (`hours=1;minutes=2;seconds=3`): keys among VALIDITY_KEYS, in
 * lower case and each at most once; values non-negative decimal numbers. Stricter than authentik,
 * which lower-cases keys, skips unknown ones and parses values with Python's float().
 */
export function isValidity(value: string): boolean {
  const seen = new Set<string>();
  for (const pair of value.split(';')) {
    const match = VALIDITY_PAIR.exec(pair);
    if (!match || seen.has(match[1]!)) return false;
    seen.add(match[1]!);
  }
  return true;
}

export const validityMessage = (value: unknown) =>
  `${String(value)} is not in the correct format of 'hours=3;minutes=1'.`;

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.+)$/;
/** Schemes that run code or carry content rather than name a redirection endpoint. */
const FORBIDDEN_SCHEMES = new Set(['javascript', 'data', 'vbscript']);

/**
 * Why one line of `redirect_uris` is not a usable redirect URI, or undefined when it is. A line
 * must be an absolute URI (RFC 3986: a scheme, `:`, something after it) that the WHATWG URL
 * parser accepts, without whitespace, without a fragment (RFC 6749 §3.1.2), and for http(s) with
 * an authority (`https://host...`). Custom schemes of native apps (`com.example.app:/cb`) are
 * fine; `javascript:`, `data:` and `vbscript:` are not.
 */
export function redirectUriProblem(line: string): string | undefined {
  const match = SCHEME.exec(line);
  if (!match || /\s/.test(line) || !URL.canParse(line)) {
    return `"${line}" is not an absolute URI.`;
  }
  const scheme = match[1]!.toLowerCase();
  if (FORBIDDEN_SCHEMES.has(scheme)) return `"${line}" uses a scheme that is not allowed.`;
  if ((scheme === 'http' || scheme === 'https') && !/^\/\/[^/?#]+/.test(match[2]!)) {
    return `"${line}" is not an absolute URI.`;
  }
  if (line.includes('#')) return `"${line}" must not contain a fragment.`;
  return undefined;
}

/** Lines of `redirect_uris`: split on newlines (CRLF too); blank lines are ignored. */
export function redirectUriLines(value: string): string[] {
  return value
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
}

export const firstRedirectUriProblem = (value: string): string | undefined =>
  redirectUriLines(value).map(redirectUriProblem).find(Boolean);

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** authentik's generate_id: uniformly random [A-Za-z0-9] characters from the CSPRNG. */
export function randomAlphanumeric(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return text;
}

export const generateClientId = () => randomAlphanumeric(40);
export const generateClientSecret = () => randomAlphanumeric(128);
