/** The claims authentik's IDToken lists first, in its order; other claims follow as stored. */
const CLAIM_ORDER = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'amr',
  'c_hash',
  'nonce',
  'at_hash',
  'sid',
  'jti',
];

/** Python's json.dumps escapes every non-ASCII character (ensure_ascii). */
const escapeNonAscii = (json: string) =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The `id_token` of a token item as authentik renders it: the claims as JSON with 4-space
 * indentation (Python's `json.dumps(..., indent=4)`), null claims dropped.
 */
export function formatIdToken(claims: Record<string, unknown> | null): string {
  const ordered: Record<string, unknown> = {};
  const source = claims ?? {};
  for (const key of [...CLAIM_ORDER, ...Object.keys(source)]) {
    const value = source[key];
    if (value !== null && value !== undefined && !(key in ordered)) ordered[key] = value;
  }
  return escapeNonAscii(JSON.stringify(ordered, null, 4));
}
