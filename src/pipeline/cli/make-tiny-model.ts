/**
 * Writes the tiny test model's canonical store; then run `export.ts manifest` to list it.
 *   node --import tsx src/pipeline/cli/make-tiny-model.ts --help
 */
import { parseArgs } from 'node:util';
import { makeTinyModel, TINY_MODEL_SEED } from '../export/tiny-model.js';
import { runCli, UsageError } from './cli-support.js';

const USAGE = 'usage: make-tiny-model.ts [OUT_DIR] (--help for more)';

const HELP = `Write the tiny test model (~5.7 k parameters, seeded random weights) as a canonical fp16 store.

Usage: node --import tsx src/pipeline/cli/make-tiny-model.ts [OUT_DIR]

  OUT_DIR      where to write model.json, its shard and model-info.json (default models/tiny)
  -h, --help   show this help

Same bytes on every run (seed ${TINY_MODEL_SEED}). Then run \`export.ts manifest\` (npm run model:tiny does both).`;

async function main(): Promise<number> {
  const parsed = parseArgs({
    allowPositionals: true,
    strict: true,
    options: { help: { type: 'boolean', short: 'h', default: false } },
  });
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  if (parsed.positionals.length > 1)
    throw new UsageError(`one OUT_DIR at most, got ${parsed.positionals.length} arguments`);
  const outDir = parsed.positionals[0] ?? 'models/tiny';
  await makeTinyModel(outDir);
  console.log(`wrote ${outDir}`);
  return 0;
}

runCli(main, USAGE);
