/**
 * Timestamps leave PostgreSQL as text so their microseconds survive (a JS Date keeps
 * milliseconds only), then take the wire format: UTC ISO-8601 with `Z`, microseconds printed only
 * when non-zero — as Python's isoformat() prints them.
 */
export function isoUtcSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
}

export function formatIsoUtc(raw: string | null): string | null {
  if (raw === null) return null;
  return `${raw.endsWith('.000000') ? raw.slice(0, -7) : raw}Z`;
}
