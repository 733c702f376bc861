/**
 * Writes the tiny test model's canonical store; then run `export.ts manifest` to list it.
 *   node --import tsx src/pipeline/cli/make-tiny-model.ts --help
 */
import { parseArgs } from 'node:util';
import { makeTinyModel, TINY_MODEL_SEED } from '../export/tiny-model.js';

const HELP = `Write the tiny test model (~5.7 k parameters, seeded random weights) as a canonical fp16 store.

Usage: node --import tsx src/pipeline/cli/make-tiny-model.ts [OUT_DIR]

  OUT_DIR      where to write model.json, its shard and model-info.json (default models/tiny)
  -h, --help   show this help

Same bytes on every run (seed ${TINY_MODEL_SEED}). Then run \`export.ts manifest\` (npm run model:tiny does both).`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: make-tiny-model.ts [OUT_DIR] (--help for more)`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    console.error('usage: make-tiny-model.ts [OUT_DIR] (--help for more)');
    return 2;
  }
  const outDir = parsed.positionals[0] ?? 'models/tiny';
  await makeTinyModel(outDir);
  console.log(`wrote ${outDir}`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
