/**
 * Writes the tiny test model's canonical store (default models/tiny/); then run
 * `export.ts manifest` to list it in models/manifest.json.
 *
 *   node --import tsx src/pipeline/cli/make-tiny-model.ts [outDir]
 */
import { makeTinyModel } from '../export/tiny-model.js';

const outDir = process.argv[2] ?? 'models/tiny';
await makeTinyModel(outDir);
console.log(`wrote ${outDir}`);
