/** Helpers shared by the providers and applications e2e specs. */
import type { AddressInfo } from 'node:net';
import { Configuration } from '@goauthentik/api';
import { modelPermission, Models } from '../../src/common/auth/permissions.js';
import type { TestApp } from './app.js';

export const PROVIDERS = '/api/v3/providers/oauth2/';
export const APPLICATIONS = '/api/v3/core/applications/';
export const CODES = '/api/v3/oauth2/authorization_codes/';

export const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
export const DENIED = { detail: 'You do not have permission to perform this action.' };

export const ProviderPerms = {
  view: modelPermission('view', Models.oauth2Provider),
  add: modelPermission('add', Models.oauth2Provider),
  change: modelPermission('change', Models.oauth2Provider),
  delete: modelPermission('delete', Models.oauth2Provider),
};
export const ApplicationPerms = {
  view: modelPermission('view', Models.application),
  add: modelPermission('add', Models.application),
  change: modelPermission('change', Models.application),
  delete: modelPermission('delete', Models.application),
};

/** Requests as one caller (an Authorization header value, or none: anonymous). */
export function as(t: TestApp, auth?: string) {
  const withAuth = <R extends { set(name: string, value: string): R }>(request: R) =>
    auth ? request.set('Authorization', auth) : request;
  return {
    get: (url: string, query: Record<string, string> = {}) =>
      withAuth(t.http.get(url).query(query)),
    post: (url: string, body?: unknown) => withAuth(t.http.post(url)).send(body as object),
    put: (url: string, body?: unknown) => withAuth(t.http.put(url)).send(body as object),
    patch: (url: string, body?: unknown) => withAuth(t.http.patch(url)).send(body as object),
    delete: (url: string) => withAuth(t.http.delete(url)),
  };
}

/** The pks of a page, in its order. */
export const pks = (body: { results: { pk: unknown }[] }) => body.results.map((r) => r.pk);

/** authentik's generated client pointed at the test app, authenticated with `auth`. */
export async function generatedClientConfig(t: TestApp, auth: string): Promise<Configuration> {
  const server = t.app.getHttpServer();
  if (!server.listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const basePath = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
  return new Configuration({ basePath, accessToken: auth.slice('Bearer '.length) });
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
        return wrap(child, childPath);
      },
    });
  };
  decode(wrap(json, ''));
  return read;
}

/** Every key path present in `json`. */
export function keysSent(json: unknown, path = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(json)) json.forEach((item) => keysSent(item, `${path}[]`, into));
  else if (json !== null && typeof json === 'object') {
    for (const [key, value] of Object.entries(json)) {
      into.add(`${path}.${key}`);
      keysSent(value, `${path}.${key}`, into);
    }
  }
  return into;
}
