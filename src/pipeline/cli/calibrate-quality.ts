/**
 * Calibrate and check the quality gate (src/shared/image-quality.ts) on real photos and their degraded
 * copies (npm run degrade-photos).
 *   npm run calibrate-quality -- --help
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectFieldOfView } from '../../shared/fov.js';
import {
  assessImageQuality,
  judgeQuality,
  QUALITY_THRESHOLDS,
  type QualityThresholds,
} from '../../shared/image-quality.js';
import type { PixelImage } from '../../shared/pixels.js';
import { textTable } from '../parity/text-table.js';
import { pathExists } from '../path-exists.js';
import {
  distributions,
  NUMERIC_MEASURES,
  quantile,
  suggestThresholds,
  summariseDegraded,
  summariseOriginals,
  toMeasuredPhoto,
  type GroupSummary,
  type MeasuredPhoto,
} from '../quality/calibration.js';
import { DEGRADATION, DEGRADATION_DESCRIPTIONS, DEGRADATION_KINDS, type DegradationKind } from '../quality/degrade.js';
import {
  decodeForAnalysis,
  DEFAULT_DEGRADED_DIR,
  DEFAULT_PHOTO_DIRS,
  listPhotos,
  MAX_ANALYSED_SIDE,
  photoStem,
  sourceLabel,
} from '../quality/photos.js';
import { positiveInt, runCli } from './cli-support.js';

const DEFAULT_OUT = join('models', 'quality-gate', 'calibration.json');
const DEFAULT_MEASUREMENTS = join('.cache', 'quality', 'measurements.json');
const DEFAULT_TIMING_PHOTO = join('..', 'shared', 'samples', 'eyepacs', '10_left.jpeg');

const IDRID_CREDIT =
  'IDRiD dataset © Prasanna Porwal, Samiksha Pachade and Manesh Kokare, CC BY 4.0. Porwal et al., ' +
  '"Indian Diabetic Retinopathy Image Dataset (IDRiD): A Database for Diabetic Retinopathy Screening Research", ' +
  'Data 3(3), 25 (2018).';

const USAGE =
  'usage: calibrate-quality.ts [--degraded DIR] [--pick SOURCE] [--limit N] [--out FILE] [DIR...] (--help for more)';

const HELP = `Measure the quality gate on real photos (all graded by people, so all gradable: they should pass)
and on their degraded copies (npm run degrade-photos: they should be caught), decoding each the way the
app does (upright, sRGB, long side ≤ ${MAX_ANALYSED_SIDE} px) and running the shared detectFieldOfView and
assessImageQuality. Prints the pass rate of the originals per source, the caught rate per degradation,
the distributions of every measure, and the thresholds the calibration rule suggests from the originals
of one source (--pick); writes a JSON summary (numbers and names only, no images).

Usage: npm run calibrate-quality -- [options] [DIR...]

  DIR...             folders of original photos, default:
                     ${DEFAULT_PHOTO_DIRS.join('\n                     ')}
  --degraded DIR     degraded copies, <DIR>/<kind>/<source>/ (default ${DEFAULT_DEGRADED_DIR})
  --pick SOURCE      the source whose originals the thresholds are picked on (default: the first DIR's)
  --limit N          only the first N photos of each folder (originals and each kind)
  --out FILE         JSON summary (default ${DEFAULT_OUT})
  --measurements F   every photo's measures as JSON (default ${DEFAULT_MEASUREMENTS}; keep it out of git)
  --reuse            judge the measures saved in --measurements again (after a change of thresholds)
                     instead of decoding and measuring every photo
  --timing-photo P   a large photo timed on its own, as RGBA like the worker's (default ${DEFAULT_TIMING_PHOTO})
  --timing-runs N    repetitions of that timing (default 20)
  -h, --help         show this help`;

async function measurePhoto(
  path: string,
  source: string,
  kind: MeasuredPhoto['kind'],
  thresholds: QualityThresholds,
): Promise<MeasuredPhoto> {
  const { image, decodeScale } = await decodeForAnalysis(path);
  const t0 = performance.now();
  const fov = detectFieldOfView(image);
  const t1 = performance.now();
  const quality = assessImageQuality(image, { fov, decodeScale, thresholds });
  const t2 = performance.now();
  return toMeasuredPhoto(
    {
      source,
      kind,
      name: photoStem(path),
      width: image.width,
      height: image.height,
      decodeScale,
      fovMs: t1 - t0,
      qualityMs: t2 - t1,
    },
    quality,
  );
}

function toRgba(image: PixelImage): PixelImage {
  if (image.channels === 4) return image;
  const out = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
    out[j] = image.data[i]!;
    out[j + 1] = image.data[i + 1]!;
    out[j + 2] = image.data[i + 2]!;
    out[j + 3] = 255;
  }
  return { data: out, width: image.width, height: image.height, channels: 4 };
}

async function measureAll(
  dirs: readonly string[],
  sources: readonly string[],
  degradedDir: string,
  limit: number,
  thresholds: QualityThresholds,
): Promise<MeasuredPhoto[]> {
  const photos: MeasuredPhoto[] = [];
  const started = performance.now();
  const progress = (what: string, done: number, total: number) => {
    if (done % 50 === 0 || done === total)
      console.log(`  ${what}: ${done}/${total} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  };
  for (const [i, dir] of dirs.entries()) {
    const files = (await listPhotos(dir)).slice(0, limit);
    console.log(`Originals, ${sources[i]}: ${files.length} photos from ${dir}`);
    for (const [k, file] of files.entries()) {
      photos.push(await measurePhoto(file, sources[i]!, 'original', thresholds));
      progress(sources[i]!, k + 1, files.length);
    }
  }
  for (const kind of DEGRADATION_KINDS) {
    for (const source of sources) {
      const dir = join(degradedDir, kind, source);
      if (!(await pathExists(dir))) continue;
      const files = (await listPhotos(dir)).slice(0, limit);
      console.log(`Degraded, ${kind}/${source}: ${files.length} copies`);
      for (const [k, file] of files.entries()) {
        photos.push(await measurePhoto(file, source, kind, thresholds));
        progress(`${kind}/${source}`, k + 1, files.length);
      }
    }
  }
  return photos;
}

interface Timing {
  readonly photo: string;
  readonly sourceSize: string;
  readonly analysedSize: string;
  readonly runs: number;
  readonly qualityMs: { readonly min: number; readonly median: number };
  readonly fovMs: { readonly min: number; readonly median: number };
}

/** The gate on one large photo, RGBA as the worker decodes it, repeated: the first run warms the JIT up. */
async function timePhoto(path: string, runs: number): Promise<Timing> {
  const decoded = await decodeForAnalysis(path);
  const image = toRgba(decoded.image);
  const quality: number[] = [];
  const fovTimes: number[] = [];
  assessImageQuality(image, { decodeScale: decoded.decodeScale });
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const fov = detectFieldOfView(image);
    const t1 = performance.now();
    assessImageQuality(image, { fov, decodeScale: decoded.decodeScale });
    const t2 = performance.now();
    fovTimes.push(t1 - t0);
    quality.push(t2 - t1);
  }
  const stats = (values: number[]) => {
    const sorted = values.slice().sort((a, b) => a - b);
    return { min: round1(sorted[0]!), median: round1(quantile(sorted, 0.5)) };
  };
  return {
    photo: path,
    sourceSize: `${decoded.sourceWidth}×${decoded.sourceHeight}`,
    analysedSize: `${image.width}×${image.height}`,
    runs,
    qualityMs: stats(quality),
    fovMs: stats(fovTimes),
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${(100 * v).toFixed(1)} %`);
const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(v === 0 ? 0 : 3);
const reasonList = (s: GroupSummary) =>
  Object.entries(s.reasons)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ') || '—';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    strict: true,
    allowPositionals: true,
    options: {
      degraded: { type: 'string', default: DEFAULT_DEGRADED_DIR },
      pick: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string', default: DEFAULT_OUT },
      measurements: { type: 'string', default: DEFAULT_MEASUREMENTS },
      'timing-photo': { type: 'string', default: DEFAULT_TIMING_PHOTO },
      'timing-runs': { type: 'string', default: '20' },
      reuse: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const limit = values.limit === undefined ? Infinity : positiveInt('limit', values.limit);
  const timingRuns = positiveInt('timing-runs', values['timing-runs']);
  const dirs: string[] = [];
  for (const dir of positionals.length ? positionals : DEFAULT_PHOTO_DIRS) {
    if (await pathExists(dir)) dirs.push(dir);
    else console.log(`No folder at ${dir}: skipped.`);
  }
  if (!dirs.length) {
    console.log('No photos to calibrate on. (Give folders of real fundus photos.)');
    return 0;
  }
  const sources = dirs.map(sourceLabel);
  const pick = values.pick ?? sources[0]!;
  if (!sources.includes(pick)) throw new Error(`--pick ${pick} is none of the sources (${sources.join(', ')})`);
  const thresholds = QUALITY_THRESHOLDS;

  let photos: MeasuredPhoto[] = [];
  if (values.reuse) {
    const saved = JSON.parse(await readFile(values.measurements, 'utf8')) as MeasuredPhoto[];
    photos = saved
      .filter((p) => sources.includes(p.source))
      .map((p) => ({ ...p, reasons: judgeQuality(p.measures, thresholds).map((i) => i.reason) }));
    console.log(`Judging the ${photos.length} measured photos in ${values.measurements} again.`);
  } else {
    photos = await measureAll(dirs, sources, values.degraded, limit, thresholds);
  }

  const originals = (source: string) => photos.filter((p) => p.kind === 'original' && p.source === source);
  const degraded = (kind: DegradationKind, source?: string) =>
    photos.filter((p) => p.kind === kind && (source === undefined || p.source === source));

  const originalSummaries = Object.fromEntries(
    sources.map((s) => [s, { ...summariseOriginals(originals(s)), distributions: distributions(originals(s)) }]),
  );
  const kinds = DEGRADATION_KINDS.filter((k) => degraded(k).length > 0);
  const degradedSummaries = Object.fromEntries(
    kinds.map((k) => [
      k,
      {
        description: DEGRADATION_DESCRIPTIONS[k],
        ...summariseDegraded(k, degraded(k)),
        bySource: Object.fromEntries(
          sources.filter((s) => degraded(k, s).length).map((s) => [s, summariseDegraded(k, degraded(k, s))]),
        ),
        distributions: distributions(degraded(k)),
      },
    ]),
  );
  const suggested = suggestThresholds(originals(pick), QUALITY_THRESHOLDS.minFovDiameterPx);

  console.log('\nOriginals (all graded by people: should pass)');
  console.log(
    textTable(
      ['source', 'photos', 'passed', 'pass rate', 'reasons given'],
      sources.map((s) => {
        const o = originalSummaries[s]!;
        return [
          s + (s === pick ? ' (thresholds picked here)' : ' (check)'),
          `${o.n}`,
          `${o.passed}`,
          pct(o.passRate),
          reasonList(o),
        ];
      }),
      [1, 2, 3],
    ),
  );
  for (const s of sources) {
    const o = originalSummaries[s]!;
    if (o.misjudged.length) console.log(`  ${s} judged ungradable: ${o.misjudged.join('; ')}`);
  }
  console.log('\nDegraded copies (should be caught)');
  console.log(
    textTable(
      ['degradation', 'copies', 'caught', 'caught rate', 'for the expected reason', 'reasons given'],
      kinds.map((k) => {
        const d = degradedSummaries[k]!;
        return [k, `${d.n}`, `${d.caught}`, pct(d.caughtRate), pct(d.caughtForExpectedReason! / d.n), reasonList(d)];
      }),
      [1, 2, 3, 4],
    ),
  );
  for (const k of kinds) {
    const bySource = Object.entries(degradedSummaries[k]!.bySource)
      .map(([s, d]) => `${s} ${d.caught}/${d.n}`)
      .join(', ');
    console.log(`  ${k}: ${bySource}`);
  }

  console.log('\nDistributions (min / p5 / median / p95 / max)');
  const groups: Array<[string, ReturnType<typeof distributions>]> = [
    ...sources.map((s): [string, ReturnType<typeof distributions>] => [
      `original ${s}`,
      originalSummaries[s]!.distributions,
    ]),
    ...kinds.map((k): [string, ReturnType<typeof distributions>] => [k, degradedSummaries[k]!.distributions]),
  ];
  for (const m of NUMERIC_MEASURES) {
    console.log(`\n${m}`);
    console.log(
      textTable(
        ['group', 'n', 'min', 'p5', 'median', 'p95', 'max'],
        groups.map(([name, d]) => {
          const x = d[m];
          return x ? [name, `${x.n}`, fmt(x.min), fmt(x.p5), fmt(x.median), fmt(x.p95), fmt(x.max)] : [name, '0'];
        }),
        [1, 2, 3, 4, 5, 6],
      ),
    );
  }

  console.log(`\nThresholds: in use (QUALITY_THRESHOLDS) and suggested by the rule from the ${pick} originals`);
  console.log(
    textTable(
      ['threshold', 'in use', 'suggested'],
      (Object.keys(thresholds) as Array<keyof QualityThresholds>).map((k) => [
        k,
        `${thresholds[k]}`,
        `${suggested[k]}`,
      ]),
      [1, 2],
    ),
  );
  const differs = (Object.keys(thresholds) as Array<keyof QualityThresholds>).filter(
    (k) => thresholds[k] !== suggested[k],
  );
  if (differs.length) {
    console.log(`Differs from the suggestion: ${differs.join(', ')}. With the suggested thresholds:`);
    const judged = photos.map((p) => ({ ...p, reasons: judgeQuality(p.measures, suggested).map((i) => i.reason) }));
    const line = (name: string, group: MeasuredPhoto[], want: 'pass' | 'caught') => {
      const hits = group.filter((p) => (want === 'pass' ? p.reasons.length === 0 : p.reasons.length > 0)).length;
      return `  ${name}: ${want} ${hits}/${group.length}`;
    };
    for (const s of sources)
      console.log(
        line(
          `original ${s}`,
          judged.filter((p) => p.kind === 'original' && p.source === s),
          'pass',
        ),
      );
    for (const k of kinds)
      console.log(
        line(
          k,
          judged.filter((p) => p.kind === k),
          'caught',
        ),
      );
  }

  let timing: Timing | null = null;
  if (await pathExists(values['timing-photo'])) {
    timing = await timePhoto(values['timing-photo'], timingRuns);
    console.log(
      `\nTiming on ${timing.photo} (${timing.sourceSize}, analysed at ${timing.analysedSize} RGBA, ${timing.runs} runs): ` +
        `quality ${timing.qualityMs.min} ms min, ${timing.qualityMs.median} ms median; ` +
        `field-of-view detection ${timing.fovMs.min} ms min, ${timing.fovMs.median} ms median.`,
    );
  }
  const perPhoto = photos.map((p) => p.qualityMs).sort((a, b) => a - b);
  console.log(
    `Quality per photo over the run (${perPhoto.length} photos, 3-channel, machine shared): median ${round1(quantile(perPhoto, 0.5))} ms, p95 ${round1(quantile(perPhoto, 0.95))} ms.`,
  );

  const summary = {
    about:
      'Calibration of the quality gate (src/shared/image-quality.ts): npm run degrade-photos && npm run calibrate-quality. Numbers and photo names only.',
    credit: { idrid: IDRID_CREDIT, eyepacs: 'EyePACS sample photos (Kaggle Diabetic Retinopathy Detection)' },
    generated: new Date().toISOString().slice(0, 10),
    decode: `upright, sRGB, long side ≤ ${MAX_ANALYSED_SIDE} px (as the app's worker)`,
    thresholdsPickedOn: pick,
    rule: 'each limit a third beyond the worst original of the picked source: minimum 2/3 × lowest, maximum 1.5 × highest, a bad share f: 1 − f at 2/3 of its lowest; two significant digits, rounded to the permissive side; minFovDiameterPx by design',
    thresholdsInUse: thresholds,
    thresholdsSuggested: suggested,
    degradations: { parameters: DEGRADATION, descriptions: DEGRADATION_DESCRIPTIONS },
    originals: originalSummaries,
    degraded: degradedSummaries,
    timing: {
      largePhoto: timing,
      perPhotoDuringRun: {
        photos: perPhoto.length,
        medianMs: round1(quantile(perPhoto, 0.5)),
        p95Ms: round1(quantile(perPhoto, 0.95)),
      },
    },
  };
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(summary, null, 2)}\n`);
  await mkdir(dirname(values.measurements), { recursive: true });
  await writeFile(values.measurements, `${JSON.stringify(photos)}\n`);
  console.log(`\nSummary: ${values.out}; every photo's measures: ${values.measurements}`);
  return 0;
}

runCli(main, USAGE);
