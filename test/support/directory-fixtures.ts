/** Helpers shared by the users and groups specs. */
import type { AddressInfo } from 'node:net';
import type { TestApp } from './app.js';

export const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
export const DENIED = { detail: 'You do not have permission to perform this action.' };
export const NOT_FOUND = { detail: 'Not found.' };
export const methodNotAllowed = (method: string) => ({
  detail: `Method "${method}" not allowed.`,
});

/** Listens on a free port once and returns the API base URL, for authentik's generated client. */
export async function clientBasePath(t: TestApp): Promise<string> {
  const server = t.app.getHttpServer();
  if (!server.listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
}

/** Every key path a generated-client model reads while decoding `json`. */
export function keysRead(decode: (json: unknown) => unknown, json: unknown): Set<string> {
  const read = new Set<string>();
  const wrap = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    return new Proxy(value as object, {
      get(target, key, receiver) {
        const child = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || (Array.isArray(target) && !/^\d+$/.test(key))) return child;
        const childPath = Array.isArray(target) ? `${path}[]` : `${path}.${key}`;
        if (!Array.isArray(target)) read.add(childPath);
        // Free-form objects (attributes) are read whole, not key by key.
        return key === 'attributes' ? child : wrap(child, childPath);
      },
    });
  };
  decode(wrap(json, ''));
  return read;
}

/** Every key path of `json` (attributes as a whole). */
export function keysSent(json: unknown, path = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(json)) json.forEach((item) => keysSent(item, `${path}[]`, into));
  else if (json !== null && typeof json === 'object') {
    for (const [key, value] of Object.entries(json)) {
      into.add(`${path}.${key}`);
      if (key !== 'attributes') keysSent(value, `${path}.${key}`, into);
    }
  }
  return into;
}

/** Rows of a list, walking every page of `path` with `query`. */
export async function walk<T>(
  t: TestApp,
  auth: string,
  path: string,
  query: Record<string, unknown>,
): Promise<T[]> {
  const rows: T[] = [];
  for (let page = 1; ; page++) {
    const res = await t.http
      .get(path)
      .query({ ...query, page })
      .set('Authorization', auth);
    if (res.status !== 200) throw new Error(`${path} page ${page}: ${res.status} ${res.text}`);
    rows.push(...res.body.results);
    if (res.body.pagination.next === 0) return rows;
  }
}

/** Count of rows in `table` matching `where` (a trusted literal), for asserting side effects. */
export async function countRows(
  t: TestApp,
  table: string,
  where: string,
  parameters: unknown[] = [],
): Promise<number> {
  const [{ count }] = await t.fixtures.db.query(
    `SELECT count(*)::int AS count FROM ${table} WHERE ${where}`,
    parameters,
  );
  return count;
}
