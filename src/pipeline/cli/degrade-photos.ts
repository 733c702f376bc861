/**
 * Degraded copies of real fundus photos for calibrating the quality gate.
 *   npm run degrade-photos -- --help
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectFieldOfView } from '../../shared/fov.js';
import { pathExists } from '../path-exists.js';
import { DEGRADATION_DESCRIPTIONS, DEGRADATION_KINDS, degradePhoto, type DegradationKind } from '../quality/degrade.js';
import {
  decodePhoto,
  DEFAULT_DEGRADED_DIR,
  DEFAULT_PHOTO_DIRS,
  listPhotos,
  photoStem,
  sourceLabel,
} from '../quality/photos.js';
import { oneOf, positiveInt, runCli, UsageError } from './cli-support.js';

const USAGE = 'usage: degrade-photos.ts [--out DIR] [--kinds K,K] [--limit N] [DIR...] (--help for more)';

const HELP = `Make degraded copies of fundus photos (each a fault that makes a photo ungradable) for the
quality gate's calibration: <out>/<kind>/<source>/<photo>.jpg, where <source> is the folder's name
(its parent's when it is called "images"). Resumable: copies already there are kept. Images stay
under .cache (gitignored); never commit them.

Usage: npm run degrade-photos -- [options] [DIR...]

  DIR...          folders of photos (.jpg/.jpeg/.png), default:
                  ${DEFAULT_PHOTO_DIRS.join('\n                  ')}
  --out DIR       where the copies go (default ${DEFAULT_DEGRADED_DIR})
  --kinds K,K     which degradations (default all):
${DEGRADATION_KINDS.map((k) => `                    ${k.padEnd(20)} ${DEGRADATION_DESCRIPTIONS[k]}`).join('\n')}
  --limit N       only the first N photos (by name) of each folder
  -h, --help      show this help`;

async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: DEFAULT_DEGRADED_DIR },
      kinds: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const kinds: DegradationKind[] = values.kinds
    ? values.kinds.split(',').map((k) => oneOf('kinds', k.trim(), DEGRADATION_KINDS))
    : [...DEGRADATION_KINDS];
  const limit = values.limit === undefined ? Infinity : positiveInt('limit', values.limit);
  const dirs = positionals.length ? positionals : DEFAULT_PHOTO_DIRS;
  for (const dir of dirs) if (!(await pathExists(dir))) throw new UsageError(`no folder at ${dir}`);

  let written = 0;
  let kept = 0;
  const skipped: string[] = [];
  const started = performance.now();
  for (const dir of dirs) {
    const source = sourceLabel(dir);
    const photos = (await listPhotos(dir)).slice(0, limit);
    console.log(`${source}: ${photos.length} photos from ${dir}`);
    for (const kind of kinds) await mkdir(join(values.out, kind, source), { recursive: true });
    for (const [index, path] of photos.entries()) {
      const target = (kind: DegradationKind) => join(values.out, kind, source, `${photoStem(path)}.jpg`);
      const missing: DegradationKind[] = [];
      for (const kind of kinds) if (!(await pathExists(target(kind)))) missing.push(kind);
      kept += kinds.length - missing.length;
      if (!missing.length) continue;
      // At the photo's own resolution, so blur and JPEG blocks are where a camera would put them.
      const { image } = await decodePhoto(path);
      const fov = detectFieldOfView(image);
      if (!fov.found) {
        skipped.push(`${source}/${photoStem(path)} (${fov.verdict})`);
        continue;
      }
      for (const kind of missing) {
        const bytes = await degradePhoto(kind, { image, fov, index });
        await writeAtomically(target(kind), bytes);
        written++;
      }
      if ((index + 1) % 25 === 0 || index + 1 === photos.length) {
        const seconds = (performance.now() - started) / 1000;
        console.log(`  ${index + 1}/${photos.length} photos, ${written} copies written (${seconds.toFixed(0)} s)`);
      }
    }
  }
  console.log(
    `${written} copies written, ${kept} already there, into ${values.out}/<kind>/<source>/` +
      (skipped.length ? `; no field of view, not degraded: ${skipped.join(', ')}` : ''),
  );
  return 0;
}

runCli(main, USAGE);
