/**
 * Generate a synthetic fundus dataset in Kaggle's EyePACS layout.
 *   node --import tsx src/pipeline/cli/data.ts --help
 */
import { parseArgs } from 'node:util';
import { GRADE_NAMES } from '../../shared/grades.js';
import type { ImageFormat } from '../data/synthetic/encode.js';
import { writeSyntheticDataset, type DatasetProgress } from '../data/synthetic/dataset.js';
import type { Balance } from '../data/synthetic/plan.js';
import { nonNegativeInt, oneOf, positiveInt, runCli } from './cli-support.js';

const USAGE =
  'usage: data.ts [--out DIR] [--count N] [--seed N] [--size PX] [--balance MODE] [--format FMT] [--force] (--help for more)';

const HELP = `Generate synthetic fundus photos with ICDR grades (Kaggle EyePACS layout).

Usage: node --import tsx src/pipeline/cli/data.ts [options]

Options:
  --out DIR           output folder (default data/synthetic)
  --count N           number of images, two eyes per patient (default 2000)
  --seed N            random seed; same settings give identical files (default 1)
  --size PX           image width in pixels (default 512; height follows the frame shape)
  --balance MODE      eyepacs (73.5/7.0/15.1/2.5/2.0 %) or balanced (default eyepacs)
  --format FMT        jpeg or png (default jpeg)
  --force             regenerate a folder made with other settings
  -h, --help          show this help

Writes <id>.jpeg images, trainLabels.csv (image,level), lesions.csv, contact-sheet.png,
class-distribution.png and synthetic.json. Rerunning with the same settings skips finished images.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'data/synthetic' },
      count: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      size: { type: 'string', default: '512' },
      balance: { type: 'string', default: 'eyepacs' },
      format: { type: 'string', default: 'jpeg' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const options = {
    outDir: values.out,
    count: positiveInt('count', values.count),
    seed: nonNegativeInt('seed', values.seed),
    size: positiveInt('size', values.size, 64),
    balance: oneOf<Balance>('balance', values.balance, ['eyepacs', 'balanced']),
    format: oneOf<ImageFormat>('format', values.format, ['jpeg', 'png']),
    force: values.force,
  };
  console.log(
    `Generating ${options.count} images (${options.size} px ${options.format}, ${options.balance}, seed ${options.seed}) into ${options.outDir}`,
  );
  const started = performance.now();
  let lastReport = 0;
  const onProgress = (p: DatasetProgress): void => {
    const now = performance.now();
    if (p.done !== p.total && now - lastReport < 1000) return;
    lastReport = now;
    const rate = p.written / Math.max(1e-3, (now - started) / 1000);
    console.log(
      `  ${p.done}/${p.total} (${p.written} written, ${p.skipped} already there, ${rate.toFixed(1)} images/s)`,
    );
  };
  const summary = await writeSyntheticDataset({ ...options, onProgress });
  console.log(`Done in ${summary.seconds.toFixed(1)} s.`);
  summary.perGrade.forEach((n, g) => console.log(`  grade ${g} ${GRADE_NAMES[g]}: ${n}`));
  for (const path of Object.values(summary.files)) console.log(`  wrote ${path}`);
  return 0;
}

runCli(main, USAGE);
