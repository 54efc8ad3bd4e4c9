import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/serve/openapi.js';

describe('schema/openapi.json', () => {
  it('is the document generated from the zod schemas (run npm run gen:openapi after changing them)', () => {
    const committed = JSON.parse(
      fs.readFileSync(new URL('../../schema/openapi.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('is OpenAPI 3.1 whose every $ref resolves', () => {
    const doc = openApiDocument() as { openapi: string; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) {
      const name = /#\/components\/schemas\/([^"]+)/.exec(r)?.[1];
      expect(name, r).toBeDefined();
      expect(doc.components.schemas[name!], r).toBeDefined();
    }
  });
});
