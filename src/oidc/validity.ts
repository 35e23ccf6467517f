import { VALIDITY_KEYS } from '../oauth2-providers/oauth2-provider.rules.js';

type ValidityKey = (typeof VALIDITY_KEYS)[number];

const SECONDS: Record<ValidityKey, number> = {
  microseconds: 1e-6,
  milliseconds: 1e-3,
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86_400,
  weeks: 604_800,
};

const isKey = (key: string): key is ValidityKey => Object.hasOwn(SECONDS, key);

/**
 * A provider's validity (`weeks=1;days=2;hours=3;minutes=4;seconds=5`, authentik's format) in
 * whole seconds, as the engine's TTLs want them. Read as authentik reads it (keys in any case,
 * unknown keys skipped, decimal values), so that rows written before the API's stricter check
 * still work; undefined when nothing usable is left (the caller then uses its default). Never
 * below one second: a zero TTL would mean "no expiry" to the engine.
 */
export function validitySeconds(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  let total = 0;
  let found = false;
  for (const pair of value.split(';')) {
    const [rawKey, rawValue, extra] = pair.split('=');
    const key = rawKey?.trim().toLowerCase() ?? '';
    if (extra !== undefined || rawValue === undefined || !isKey(key)) continue;
    const amount = Number(rawValue.trim());
    if (rawValue.trim() === '' || !Number.isFinite(amount) || amount < 0) continue;
    total += amount * SECONDS[key];
    found = true;
  }
  if (!found) return undefined;
  return Math.max(1, Math.floor(total));
}
