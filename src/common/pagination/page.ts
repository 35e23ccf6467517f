import { invalidPage } from '../errors/api-errors.js';

/** A page request as the query string gives it: a number, `last`, or anything else (invalid). */
export type RequestedPage = number | 'last' | 'invalid';

export interface PageWindow {
  page: number;
  pageSize: number;
  offset: number;
}

/**
 * ASCII digits read as Django's int() reads them (leading zeros allowed); Infinity for a number
 * too large to be exact, which is beyond any page or size anyway; undefined for anything else.
 */
function wholeNumber(raw: string): number | undefined {
  if (!/^\d+$/.test(raw)) return undefined;
  const digits = raw.replace(/^0+(?=\d)/, '');
  return digits.length > 15 ? Infinity : Number(digits);
}

export function parseRequestedPage(raw: string | undefined): RequestedPage {
  if (raw === undefined || raw === '') return 1;
  if (raw === 'last') return 'last';
  return wholeNumber(raw) ?? 'invalid';
}

/** Never an error: missing, zero, negative or non-numeric sizes fall back; large ones clamp. */
export function parsePageSize(
  raw: string | undefined,
  defaultSize: number,
  maxSize: number,
): number {
  const size = raw === undefined ? undefined : wholeNumber(raw);
  if (size === undefined || size === 0) return defaultSize;
  return Math.min(size, maxSize);
}

export function totalPages(count: number, pageSize: number): number {
  return Math.max(1, Math.ceil(count / pageSize));
}

/** The rows a page covers, or 404 `Invalid page.` (an empty result has one empty page 1). */
export function resolvePage(requested: RequestedPage, count: number, pageSize: number): PageWindow {
  const pages = totalPages(count, pageSize);
  const page = requested === 'last' ? pages : requested;
  if (page === 'invalid' || page < 1 || page > pages) throw invalidPage();
  return { page, pageSize, offset: (page - 1) * pageSize };
}
