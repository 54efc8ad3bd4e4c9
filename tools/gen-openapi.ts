/**
 * Writes schema/openapi.json, the OpenAPI 3.1 document of `mobo serve`, from the zod schemas of its
 * requests and responses (`openApiDocument`). Run `npm run gen:openapi` after changing them;
 * test/serve/openapi.test.ts fails while the committed file is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../src/serve/openapi.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'schema', 'openapi.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${path.relative(root, out)}`);
