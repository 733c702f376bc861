import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  distribution,
  quantile,
  roundThreshold,
  suggestThresholds,
  summariseDegraded,
  summariseOriginals,
  type MeasuredPhoto,
} from '../../../src/pipeline/quality/calibration.js';
import { DEGRADATION_KINDS } from '../../../src/pipeline/quality/degrade.js';
import { decodeForAnalysis, listPhotos, MAX_ANALYSED_SIDE, sourceLabel } from '../../../src/pipeline/quality/photos.js';
import { detectFieldOfView } from '../../../src/shared/fov.js';
import { assessImageQuality, QUALITY_THRESHOLDS, type QualityMeasures } from '../../../src/shared/image-quality.js';
import { encodeJpeg, syntheticPhoto } from './support/fixtures.js';

const run = promisify(execFile);

async function cli(script: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `src/pipeline/cli/${script}`, ...args], {
      timeout: 240_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const temporary: string[] = [];
after(() => Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fg-quality-'));
  temporary.push(dir);
  return dir;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

function measured(
  kind: MeasuredPhoto['kind'],
  measures: Partial<QualityMeasures>,
  reasons: MeasuredPhoto['reasons'] = [],
): MeasuredPhoto {
  return {
    source: 'test',
    kind,
    name: `photo-${Math.random().toString(36).slice(2, 6)}`,
    width: 100,
    height: 100,
    decodeScale: 1,
    qualityMs: 1,
    fovMs: 1,
    reasons,
    measures: {
      fovFound: true,
      fovVerdict: 'ok',
      fovFrameFraction: 1,
      fovDiameterPx: 2000,
      focus: 60,
      darkFraction: 0,
      brightFraction: 0,
      medianLuma: 100,
      illuminationRatio: 0.6,
      blockiness: 1,
      ...measures,
    },
  };
}

describe('calibration arithmetic', () => {
  it('takes quantiles by interpolation and summarises a distribution', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([5], 0.95), 5);
    assert.ok(Number.isNaN(quantile([], 0.5)));
    assert.deepEqual(distribution([3, 1, NaN, 2]), { n: 3, min: 1, p5: 1.1, median: 2, p95: 2.9, max: 3 });
    assert.equal(distribution([NaN]), null);
  });

  it('rounds a limit to two significant digits on the permissive side', () => {
    assert.equal(roundThreshold(31.87, 'min'), 31);
    assert.equal(roundThreshold(3.141, 'max'), 3.2);
    assert.equal(Number(roundThreshold(0.3353, 'max').toFixed(6)), 0.34);
    assert.equal(Number(roundThreshold(0.2799, 'min').toFixed(6)), 0.27);
  });

  it('suggests each limit a third beyond the worst original', () => {
    const originals = [
      measured('original', {
        focus: 48,
        darkFraction: 0.003,
        brightFraction: 0,
        illuminationRatio: 0.42,
        fovFrameFraction: 1.2,
        blockiness: 2.1,
      }),
      measured('original', {
        focus: 90,
        darkFraction: 0,
        brightFraction: 0.01,
        illuminationRatio: 0.8,
        fovFrameFraction: 1.25,
        blockiness: 1,
      }),
    ];
    assert.deepEqual(suggestThresholds(originals, 1024), {
      minFocus: 32,
      maxDarkFraction: 0.34,
      maxBrightFraction: 0.34,
      minIlluminationRatio: 0.28,
      minFovFrameFraction: 0.8,
      minFovDiameterPx: 1024,
      maxBlockiness: 3.2,
    });
  });

  it('counts passes among originals and catches among degraded copies, for the expected reason or another', () => {
    const originals = summariseOriginals([measured('original', {}), measured('original', {}, ['blurred'])]);
    assert.equal(originals.n, 2);
    assert.equal(originals.passed, 1);
    assert.equal(originals.passRate, 0.5);
    assert.deepEqual(originals.reasons, { blurred: 1 });
    assert.match(originals.misjudged[0]!, /: blurred$/);

    const blurred = summariseDegraded('blur', [
      measured('blur', {}, ['blurred']),
      measured('blur', {}, ['too-dark']),
      measured('blur', {}, []),
    ]);
    assert.equal(blurred.caught, 2);
    assert.equal(blurred.caughtForExpectedReason, 1);
    assert.equal(blurred.misjudged.length, 1);
  });
});

describe('photo folders and decoding for the calibration', () => {
  it('decodes with the worker’s cap on the long side (MAX_ANALYSED_SIDE in workers/images/decode-image.ts)', async () => {
    const source = await readFile('workers/images/decode-image.ts', 'utf8');
    assert.match(source, new RegExp(`export const MAX_ANALYSED_SIDE = ${MAX_ANALYSED_SIDE};`));
    const photo = syntheticPhoto(800);
    const small = await decodeForAnalysis(await encodeJpeg(photo));
    assert.equal(small.decodeScale, 1);
    assert.equal(small.image.width, 800);
  });

  it('names a source after its folder, or the folder above an images/ folder', () => {
    assert.equal(sourceLabel('../shared/datasets/idrid-grading-train/images'), 'idrid-grading-train');
    assert.equal(sourceLabel('../shared/samples/eyepacs/'), 'eyepacs');
  });
});

describe('degrade-photos and calibrate-quality CLIs', () => {
  it('answer --help, and a bad option or value with the usage and exit status 2', async () => {
    for (const script of ['degrade-photos.ts', 'calibrate-quality.ts']) {
      const help = await cli(script, ['--help']);
      assert.equal(help.code, 0, help.out);
      assert.match(help.out, /^Usage: npm run /m);
      const bad = await cli(script, ['--bogus']);
      assert.equal(bad.code, 2, bad.out);
      assert.match(bad.out, /usage: /);
      assert.doesNotMatch(bad.out, /at .*\.ts:\d+/, 'no stack trace');
    }
    const kind = await cli('degrade-photos.ts', ['--kinds', 'smudge']);
    assert.equal(kind.code, 2);
    assert.match(kind.out, /--kinds must be one of blur, /);
  });

  it(
    'degrade a folder of photos resumably, then calibrate on it and write the summary',
    { timeout: 600_000 },
    async () => {
      const dir = await tempDir();
      const photos = join(dir, 'camera');
      await mkdir(photos);
      await writeFile(join(photos, 'a.jpg'), await encodeJpeg(syntheticPhoto(1600, 2)));
      await writeFile(join(photos, 'b.jpg'), await encodeJpeg(syntheticPhoto(1600, 3)));
      await writeFile(join(photos, 'notes.txt'), 'not a photo');
      const degraded = join(dir, 'degraded');

      const first = await cli('degrade-photos.ts', ['--out', degraded, '--limit', '1', photos]);
      assert.equal(first.code, 0, first.out);
      assert.match(first.out, new RegExp(`${DEGRADATION_KINDS.length} copies written, 0 already there`));
      for (const kind of DEGRADATION_KINDS) assert.deepEqual(await readdir(join(degraded, kind, 'camera')), ['a.jpg']);
      const again = await cli('degrade-photos.ts', ['--out', degraded, '--limit', '1', '--kinds', 'blur,jpeg', photos]);
      assert.match(again.out, /0 copies written, 2 already there/);

      const out = join(dir, 'calibration.json');
      const calibration = await cli('calibrate-quality.ts', [
        '--degraded',
        degraded,
        '--out',
        out,
        '--measurements',
        join(dir, 'measurements.json'),
        '--timing-photo',
        join(photos, 'a.jpg'),
        '--timing-runs',
        '2',
        photos,
      ]);
      assert.equal(calibration.code, 0, calibration.out);
      assert.match(calibration.out, /camera \(thresholds picked here\)\s+2\s+2\s+100\.0 %/);
      const summary = JSON.parse(await readFile(out, 'utf8')) as {
        credit: { idrid: string };
        thresholdsInUse: unknown;
        thresholdsSuggested: Record<string, number>;
        originals: Record<string, { n: number; passed: number }>;
        degraded: Record<string, { n: number; caught: number }>;
        timing: { largePhoto: { qualityMs: { min: number } } };
      };
      assert.match(
        summary.credit.idrid,
        /IDRiD dataset © Prasanna Porwal, Samiksha Pachade and Manesh Kokare, CC BY 4\.0/,
      );
      assert.deepEqual(summary.thresholdsInUse, QUALITY_THRESHOLDS);
      assert.deepEqual(summary.originals.camera, { ...summary.originals.camera, n: 2, passed: 2 });
      assert.deepEqual(Object.keys(summary.degraded).sort(), [...DEGRADATION_KINDS].sort());
      for (const kind of ['blur', 'under-exposed', 'over-exposed', 'half-covered', 'small-field'])
        assert.equal(summary.degraded[kind]!.caught, 1, kind);
      assert.ok(summary.timing.largePhoto.qualityMs.min > 0);
      assert.ok(summary.thresholdsSuggested.minFocus! > 0);
    },
  );
});

const EYEPACS = join('..', 'shared', 'samples', 'eyepacs');

describe('the EyePACS samples in ../shared (the calibration’s check set)', () => {
  it('judges every sample gradable, as the people who graded them did', { timeout: 300_000 }, async (t) => {
    if (!(await exists(EYEPACS))) {
      t.skip(`${EYEPACS} is not on this machine`);
      return;
    }
    const files = await listPhotos(EYEPACS);
    assert.ok(files.length > 0);
    for (const file of files) {
      const { image, decodeScale } = await decodeForAnalysis(file);
      const quality = assessImageQuality(image, { fov: detectFieldOfView(image), decodeScale });
      assert.equal(quality.verdict, 'gradable', `${file}: ${quality.issues.map((i) => i.message).join('; ')}`);
    }
  });
});
