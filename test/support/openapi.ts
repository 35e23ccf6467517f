import type { TestApp } from './app.js';

export interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId: string; parameters?: { name: string }[] }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

/** The service's own OpenAPI document. */
export async function openApiDocument(t: TestApp): Promise<OpenApiDocument> {
  return (await t.http.get('/api/v3/schema/')).body;
}

/** method → operationId of one documented path. */
export function operationIdsAt(document: OpenApiDocument, path: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(document.paths[path] ?? {}).map(([method, op]) => [method, op.operationId]),
  );
}
