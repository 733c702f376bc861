import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Grade } from '../../../src/shared/grades.js';
import { writeSyntheticDataset } from '../../../src/pipeline/data/synthetic/dataset.js';
import { saveCanonicalModel } from '../../../src/pipeline/export/canonical-store.js';
import { deriveAllModels, MANIFEST_FILE, writeManifest } from '../../../src/pipeline/export/manifest.js';
import { saveLayersModel } from '../../../src/pipeline/export/tfjs-model-io.js';
import { randomizeBatchNormStatistics } from '../../../src/pipeline/model/random-batchnorm.js';
import { buildTinyClassifier } from '../../../src/pipeline/model/tiny-classifier.js';
import { compareProbabilities, meetsTarget, type Comparison } from '../../../src/pipeline/parity/compare.js';
import { readFloat32Source } from '../../../src/pipeline/parity/float32-source.js';
import { findManifestModel } from '../../../src/pipeline/parity/manifest-model.js';
import { runParity, type ParityOptions, type ParityReport } from '../../../src/pipeline/parity/run-parity.js';
import { startTfjsWasm } from '../../../src/pipeline/parity/runtimes.js';
import { cli, tempDir } from './support/cli.js';

describe('compareProbabilities', () => {
  const labels: Grade[] = [0, 2, 4];
  const names = ['a', 'b', 'c'];
  const reference = Float32Array.from([0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.6]);

  it('counts top-1 changes, absolute differences and accuracies', () => {
    const candidate = reference.slice();
    candidate[1 * 5 + 1] = 0.55; // b: grade 2 → 1
    candidate[1 * 5 + 2] = 0.15;
    const c = compareProbabilities(reference, candidate, labels, names);
    assert.equal(c.images, 3);
    assert.equal(c.top1Changes, 1);
    assert.ok(Math.abs(c.top1Agreement - 2 / 3) < 1e-12);
    assert.ok(Math.abs(c.maxAbsDiff - 0.35) < 1e-6);
    assert.ok(Math.abs(c.meanAbsDiff - 0.7 / 15) < 1e-6);
    assert.equal(c.referenceAccuracy, 1);
    assert.ok(Math.abs(c.candidateAccuracy - 2 / 3) < 1e-12);
    assert.deepEqual(
      c.disagreements.map((d) => [d.image, d.level, d.reference.grade, d.candidate.grade]),
      [['b', 2, 2, 1]],
    );
    assert.ok(Math.abs(c.disagreements[0]!.candidate.probability - 0.55) < 1e-6);
  });

  it('does not let NaN pass as agreement', () => {
    const candidate = reference.slice();
    candidate[0] = Number.NaN;
    const c = compareProbabilities(reference, candidate, labels, names);
    assert.ok(Number.isNaN(c.maxAbsDiff));
    assert.equal(meetsTarget('runtimes', c), false);
    assert.equal(meetsTarget('compact', c), false);
  });

  it('rejects arrays of different sizes', () => {
    assert.throws(() => compareProbabilities(reference, reference.subarray(5), labels, names), RangeError);
  });
});

describe('parity targets', () => {
  const comparison = (images: number, top1Changes: number, maxAbsDiff: number): Comparison => ({
    images,
    top1Agreement: (images - top1Changes) / images,
    top1Changes,
    maxAbsDiff,
    meanAbsDiff: maxAbsDiff / 2,
    referenceAccuracy: 0.5,
    candidateAccuracy: 0.5,
    disagreements: [],
  });
  it('runtimes: same top-1 on every image and max |Δp| strictly below 1e-4', () => {
    assert.equal(meetsTarget('runtimes', comparison(1000, 0, 9.9e-5)), true);
    assert.equal(meetsTarget('runtimes', comparison(1000, 0, 1e-4)), false);
    assert.equal(meetsTarget('runtimes', comparison(1000, 1, 1e-7)), false);
  });
  it('compact: top-1 changes on at most 1 % of images', () => {
    assert.equal(meetsTarget('compact', comparison(1000, 10, 0.3)), true);
    assert.equal(meetsTarget('compact', comparison(1000, 11, 0.01)), false);
    assert.equal(meetsTarget('compact', comparison(0, 0, 0)), false);
  });
});

describe('parity of a model store (tiny classifier, synthetic images)', () => {
  let dir: string;
  let options: ParityOptions;
  const lines: string[] = [];

  before(async () => {
    await startTfjsWasm();
    dir = await tempDir('parity');
    const models = join(dir, 'models');
    // "other": the same architecture with other BatchNorm statistics; "seed-4": other initializer
    // seeds, which the topology JSON records.
    for (const [folder, seed, bnSeed] of [
      ['trained', 3, 3],
      ['other', 3, 4],
      ['seed-4', 4, 4],
    ] as const) {
      const model = buildTinyClassifier({ seed });
      randomizeBatchNormStatistics(model, bnSeed);
      if (folder === 'trained')
        await saveCanonicalModel(model, join(models, 'grader'), {
          id: 'grader',
          version: '2',
          name: 'Grader',
          trainingData: 'none',
          demo: true,
        });
      await saveLayersModel(model, join(dir, `${folder}-fp32`), { form: 'fp32' });
      model.dispose();
    }
    await writeManifest(join(models, MANIFEST_FILE), await deriveAllModels(models, join(dir, 'derived')));
    await writeSyntheticDataset({
      outDir: join(dir, 'test'),
      count: 6,
      seed: 2,
      size: 96,
      balance: 'balanced',
      format: 'png',
    });
    options = {
      modelsDir: models,
      dataDir: join(dir, 'test'),
      cacheDir: join(dir, 'cache'),
      batch: 4,
      ortThreads: 1,
      log: (line) => lines.push(line),
    };
  });

  it('compares both runtimes, both compact forms and the store with its trained fp32 weights', async () => {
    const report = await runParity({ ...options, fp32Dir: join(dir, 'trained-fp32') });
    assert.equal(report.model.id, 'grader', 'the default model is the first in the manifest');
    assert.equal(report.model.formsMatchManifest, true);
    assert.equal(report.data.images, 6);
    assert.deepEqual(
      report.data.perGrade.reduce((a, b) => a + b),
      6,
    );
    assert.equal(report.float32Source?.status, 'compared');
    assert.deepEqual(
      report.timing.runs.map((r) => r.form),
      ['onnx-fp32', 'onnx-fp16', 'tfjs-fp32', 'tfjs-fp16', 'trained-fp32'],
    );
    const [runtimes, tfjsCompact, onnxCompact, rounding] = report.comparisons;
    assert.equal(report.comparisons.length, 4);
    assert.equal(runtimes!.top1Agreement, 1);
    assert.ok(
      runtimes!.maxAbsDiff > 0 && runtimes!.maxAbsDiff < 1e-5,
      `TF.js vs ORT ${runtimes!.maxAbsDiff}: different runtimes, tiny float differences`,
    );
    // Every fp16 form loads to exactly its fp32 form's weights (see derive.ts and keras-to-onnx.ts).
    assert.equal(tfjsCompact!.maxAbsDiff, 0);
    assert.equal(onnxCompact!.maxAbsDiff, 0);
    assert.equal(rounding!.reference, 'trained-fp32');
    assert.ok(rounding!.maxAbsDiff > 0, 'the fp16 store rounds the trained weights');
    assert.ok(rounding!.maxAbsDiff < 1e-2, `fp16 rounding moved a probability by ${rounding!.maxAbsDiff}`);
    assert.equal(
      report.pass,
      report.comparisons.every((c) => c.pass),
    );
    assert.equal(report.environment.tfjsBackend, 'wasm');
    assert.match(report.environment.onnxruntimeNode, /^\d+\.\d+/);
    assert.ok(lines.some((l) => /identical to the manifest/.test(l)));
  });

  it('refuses float32 weights from another training run, and notes a missing folder', async () => {
    const other = await runParity({ ...options, limit: 2, fp32Dir: join(dir, 'other-fp32') });
    assert.equal(other.float32Source?.status, 'not-the-source');
    assert.match(
      other.float32Source?.problem ?? '',
      /weight stem_bn\/gamma in .* is not .*other-fp32's rounded to fp16/,
    );
    assert.equal(other.comparisons.length, 3);
    assert.equal(other.data.images, 2);
    const absent = await runParity({ ...options, limit: 2, fp32Dir: join(dir, 'missing') });
    assert.equal(absent.float32Source?.status, 'absent');
  });

  it('checks the fp32 folder weight by weight', async () => {
    const store = join(dir, 'models', 'grader');
    assert.equal((await readFloat32Source(store, join(dir, 'trained-fp32'))).ok, true);
    assert.deepEqual(await readFloat32Source(store, join(dir, 'seed-4-fp32')), {
      ok: false,
      problem: `${join(dir, 'seed-4-fp32')} has another topology than ${store}`,
    });
    // The store itself holds fp16 weights: not a float32 source.
    assert.deepEqual(await readFloat32Source(store, store), {
      ok: false,
      problem: `${store} holds fp16 weights, not float32`,
    });
  });

  it('fails when the derived files are not the ones the manifest lists', async () => {
    const path = join(dir, 'models', MANIFEST_FILE);
    const original = await readFile(path, 'utf8');
    try {
      const manifest = JSON.parse(original) as { models: Array<{ files: Array<{ sha256: string }> }> };
      manifest.models[2]!.files[0]!.sha256 = '0'.repeat(64);
      await writeFile(path, JSON.stringify(manifest));
      const report = await runParity({ ...options, limit: 1 });
      assert.equal(report.model.formsMatchManifest, false);
      assert.match(report.model.manifestMismatches.join(), /grader\/2\/onnx-fp32\/model\.onnx: sha256 differs/);
      assert.equal(report.pass, false);
    } finally {
      await writeFile(path, original);
    }
  });

  it('names the listed ids when the model is not in the manifest', async () => {
    await assert.rejects(
      findManifestModel(options.modelsDir, 'nope'),
      /model "nope" is not in .*manifest\.json \(listed: grader\)/,
    );
  });

  it('CLI: writes the JSON report and a table, exit status 0 when every target is met', async () => {
    const out = join(dir, 'report', 'parity.json');
    const args = [
      '--models',
      options.modelsDir,
      '--data',
      options.dataDir,
      '--cache',
      options.cacheDir,
      '--fp32',
      join(dir, 'trained-fp32'),
      '--out',
      out,
    ];
    const { code, out: text } = await cli('parity.ts', args);
    const report = JSON.parse(await readFile(out, 'utf8')) as ParityReport;
    assert.equal(code, report.pass ? 0 : 1, text);
    assert.match(text, /runtimes: TF\.js fp32 vs ONNX fp32 +100\.00 % +0 /);
    assert.match(text, /rounding: fp16 store vs trained fp32/);
    assert.equal(report.comparisons.length, 4);
    assert.equal((await cli('parity.ts', ['--help'])).code, 0);
    assert.equal((await cli('parity.ts', ['--limit', '0'])).code, 2);
  });
});
