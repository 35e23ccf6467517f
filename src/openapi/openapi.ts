import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { IncomingHttpHeaders } from 'node:http';
import { stringify } from 'yaml';

export const API_ROOT = '/api/v3';

/**
 * The OpenAPI document as authentik publishes it: paths relative to the server `/api/v3`, with
 * trailing slashes, bearer security scheme `authentik`.
 */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('authentik')
    .setDescription('Making authentication simple.')
    .setVersion(version)
    .addServer(API_ROOT)
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'authentik')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // API tokens are opaque keys, not JWTs (Nest's default bearerFormat).
  document.components!.securitySchemes!.authentik = { type: 'http', scheme: 'bearer' };
  document.paths = Object.fromEntries(
    Object.entries(document.paths)
      .filter(([path]) => path.startsWith(`${API_ROOT}/`))
      .map(([path, item]) => [`${path.slice(API_ROOT.length)}/`, item]),
  );
  return document;
}

/** What the schema route reads and writes, the same on Express and Fastify. */
interface SchemaRequest {
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}
interface SchemaResponse {
  type(contentType: string): { send(body: string): unknown };
}

function wantsYaml(request: SchemaRequest): boolean {
  if (request.query.format === 'yaml') return true;
  if (request.query.format === 'json') return false;
  return /application\/(x-)?yaml/.test(request.headers.accept ?? '');
}

/** Serves the document at /api/v3/schema/ (JSON, or YAML) and Swagger UI at /api/v3/docs/. */
export function mountOpenApi(app: INestApplication, document: OpenAPIObject): void {
  const json = JSON.stringify(document);
  const yaml = stringify(document);
  const serve = (request: SchemaRequest, response: SchemaResponse) => {
    if (wantsYaml(request)) response.type('application/yaml; charset=utf-8').send(yaml);
    else response.type('application/json; charset=utf-8').send(json);
  };
  const http = app.getHttpAdapter();
  http.get(`${API_ROOT}/schema/`, serve);
  // Fastify serves both spellings with one route (src/common/http/fastify.ts: ignoreTrailingSlash).
  if (http.getType() !== 'fastify') http.get(`${API_ROOT}/schema`, serve);
  // Swagger UI talks to the same origin; paths in the document are relative to /api/v3.
  SwaggerModule.setup(`${API_ROOT.slice(1)}/docs`, app, document, {
    raw: false,
    // No validator badge: it would send the document's address to validator.swagger.io (and the
    // Content-Security-Policy would block its image anyway).
    swaggerOptions: { persistAuthorization: true, validatorUrl: null },
    customSiteTitle: 'grants-api — API browser',
  });
}
