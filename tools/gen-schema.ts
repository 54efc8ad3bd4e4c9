/**
 * Writes schema/mobo.schema.json, the JSON Schema of a `mobo` configuration file, from the zod
 * schema that validates it (`moboJsonSchema`). Run `npx tsx tools/gen-schema.ts` after changing the
 * configuration; test/cli/run-config.test.ts fails while the committed file is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { moboJsonSchema } from '../src/cli/run-config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'schema', 'mobo.schema.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(moboJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(root, out)}`);
