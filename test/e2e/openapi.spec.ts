/** Contract §7: the OpenAPI document and Swagger UI. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';
import { startTestApp, type TestApp } from '../support/app.js';

describe('OpenAPI (§7)', () => {
  let t: TestApp;
  let document: {
    openapi: string;
    servers: { url: string }[];
    paths: Record<
      string,
      Record<
        string,
        { operationId: string; responses: Record<string, unknown>; security?: unknown[] }
      >
    >;
    components: {
      schemas: Record<string, { properties?: Record<string, unknown>; enum?: string[] }>;
      securitySchemes: Record<string, unknown>;
    };
  };

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http.get('/api/v3/schema/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    document = res.body;
  });
  afterAll(() => t.close());

  it('is a valid OpenAPI 3 document', async () => {
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\./);
  });

  it('is public, and served as YAML on request', async () => {
    const byQuery = await t.http.get('/api/v3/schema/?format=yaml');
    const byAccept = await t.http.get('/api/v3/schema').set('Accept', 'application/yaml');
    for (const res of [byQuery, byAccept]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/yaml/);
      expect(parse(res.text)).toEqual(document);
    }
  });

  it('names paths relative to the /api/v3 server, with trailing slashes', () => {
    expect(document.servers).toEqual([{ url: '/api/v3' }]);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/oauth2/authorization_codes/',
        '/oauth2/authorization_codes/{id}/',
        '/oauth2/authorization_codes/{id}/used_by/',
      ]),
    );
    for (const path of Object.keys(document.paths)) expect(path).toMatch(/^\/[^]*\/$/);
  });

  it("uses authentik's operation ids, each once", () => {
    const ids = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'oauth2_authorization_codes_destroy',
        'oauth2_authorization_codes_list',
        'oauth2_authorization_codes_retrieve',
        'oauth2_authorization_codes_used_by_list',
      ]),
    );
  });

  it('documents 200, 400 and 403 for the list, under the bearer scheme "authentik"', () => {
    const list = document.paths['/oauth2/authorization_codes/']!.get!;
    expect(Object.keys(list.responses).sort()).toEqual(['200', '400', '403']);
    expect(list.security).toEqual([{ authentik: [] }]);
    expect(document.components.securitySchemes.authentik).toEqual({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('names components as authentik does', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'PaginatedExpiringBaseGrantModelList',
        'ExpiringBaseGrantModel',
        'Pagination',
        'OAuth2Provider',
        'User',
        'UserGroup',
        'ValidationError',
        'GenericError',
        'ClientTypeEnum',
        'SubModeEnum',
        'IssuerModeEnum',
        'UserTypeEnum',
      ]),
    );
    expect(document.components.schemas.SubModeEnum!.enum).toEqual([
      'hashed_user_id',
      'user_id',
      'user_uuid',
      'user_username',
      'user_email',
      'user_upn',
    ]);
    expect(Object.keys(document.components.schemas.ExpiringBaseGrantModel!.properties!)).toEqual([
      'pk',
      'provider',
      'user',
      'is_expired',
      'expires',
      'scope',
    ]);
  });

  it('serves Swagger UI at /api/v3/docs/', async () => {
    const res = await t.http.get('/api/v3/docs/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
  });
});
