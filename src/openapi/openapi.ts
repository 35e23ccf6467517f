import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Request, Response } from 'express';
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

function wantsYaml(request: Request): boolean {
  if (request.query.format === 'yaml') return true;
  if (request.query.format === 'json') return false;
  return /application\/(x-)?yaml/.test(request.headers.accept ?? '');
}

/** Serves the document at /api/v3/schema/ (JSON, or YAML) and Swagger UI at /api/v3/docs/. */
export function mountOpenApi(app: INestApplication, document: OpenAPIObject): void {
  const json = JSON.stringify(document);
  const yaml = stringify(document);
  const serve = (request: Request, response: Response) => {
    if (wantsYaml(request)) response.type('application/yaml; charset=utf-8').send(yaml);
    else response.type('application/json; charset=utf-8').send(json);
  };
  const http = app.getHttpAdapter();
  http.get(`${API_ROOT}/schema`, serve);
  http.get(`${API_ROOT}/schema/`, serve);
  // Swagger UI talks to the same origin; paths in the document are relative to /api/v3.
  SwaggerModule.setup(`${API_ROOT.slice(1)}/docs`, app, document, {
    raw: false,
    swaggerOptions: { persistAuthorization: true },
    customSiteTitle: 'grants-api — API browser',
  });
}
