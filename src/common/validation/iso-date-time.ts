const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** PostgreSQL refuses offsets beyond ±15:59. */
function zoneInRange(zone: string | undefined): boolean {
  if (!zone || zone.toUpperCase() === 'Z') return true;
  const digits = zone.slice(1).replace(':', '');
  return Number(digits.slice(0, 2)) <= 15 && Number(digits.slice(2) || 0) < 60;
}

/**
 * An ISO-8601 date-time as PostgreSQL should read it (a zone-less value is UTC), or undefined when
 * the text is not a real date-time. The text itself goes to the database so that microseconds
 * survive.
 */
export function parseIsoDateTime(raw: string): string | undefined {
  const match = ISO_DATE_TIME.exec(raw.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60 &&
    zoneInRange(match[7]);
  if (!real) return undefined;
  return match[7] ? raw.trim() : `${raw.trim()}Z`;
}
