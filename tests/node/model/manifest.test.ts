import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { GRADE_NAMES } from '../../../src/shared/grades.js';
import { findModelEntry, modelEntryFolder, type ModelManifest } from '../../../src/shared/model-manifest.js';
import {
  deriveAllModels,
  hashFile,
  MANIFEST_FILE,
  readManifest,
  verifyManifest,
  writeManifest,
} from '../../../src/pipeline/export/manifest.js';
import { validateModelDescription } from '../../../src/pipeline/export/model-description.js';
import { REPO_MODELS_DIR, tempDir, TINY_STORE } from './fixtures.js';

let models: string;
let dist: string;
let manifest: ModelManifest;
before(async () => {
  models = await tempDir('models');
  await cp(TINY_STORE, join(models, 'tiny'), { recursive: true });
  dist = await tempDir('dist-models');
  manifest = await deriveAllModels(models, dist);
  await writeManifest(join(dist, MANIFEST_FILE), manifest);
});

test('lists every derived file with its hash under a versioned folder', async () => {
  assert.deepEqual(
    manifest.models.map((m) => modelEntryFolder(m)),
    ['tiny/2/tfjs-fp32', 'tiny/2/tfjs-fp16', 'tiny/2/onnx-fp32', 'tiny/2/onnx-fp16'],
  );
  for (const entry of manifest.models) {
    assert.ok(entry.files.some((f) => f.path === entry.entry));
    for (const file of entry.files) {
      assert.ok(file.path.startsWith(`${modelEntryFolder(entry)}/`), file.path);
      assert.deepEqual(await hashFile(join(dist, file.path)), { sha256: file.sha256, bytes: file.bytes });
    }
  }
  const onnx = findModelEntry(manifest, 'tiny', 'onnx', 'fp16')!;
  assert.deepEqual(
    [onnx.format, onnx.input.layout, onnx.input.name, onnx.input.normalisation.appliedBy, onnx.output.name],
    ['onnx', 'NCHW', 'input', 'caller', 'probabilities'],
  );
  const tfjs = findModelEntry(manifest, 'tiny', 'tfjs', 'fp16')!;
  assert.deepEqual(
    [tfjs.format, tfjs.input.layout, tfjs.input.size, tfjs.input.normalisation.appliedBy],
    ['tfjs-layers', 'NHWC', 300, 'model'],
  );
  assert.deepEqual(
    [tfjs.labels, tfjs.demo, tfjs.metrics, tfjs.trainingData],
    [[...GRADE_NAMES], true, undefined, 'none (random init, for tests)'],
  );
});

test('verifyManifest passes untouched files and reports a flipped byte, a truncation and a deletion', async () => {
  assert.deepEqual(await verifyManifest(dist), []);
  const [shard, onnx, json] = [
    'tiny/2/tfjs-fp16/group1-shard1of1.bin',
    'tiny/2/onnx-fp32/model.onnx',
    'tiny/2/tfjs-fp32/model.json',
  ];
  const bytes = await readFile(join(dist, shard));
  bytes[100] = bytes[100]! ^ 1;
  await writeFile(join(dist, shard), bytes);
  await writeFile(join(dist, onnx), (await readFile(join(dist, onnx))).subarray(1));
  await rm(join(dist, json));
  const problems = (await verifyManifest(dist)).map((m) => [m.path, m.problem]);
  assert.deepEqual(problems, [
    [json, 'missing'],
    [shard, 'sha256'],
    [onnx, 'size'],
  ]);
});

test('refuses to publish new files under an already published version', async () => {
  const path = join(await tempDir('manifest'), MANIFEST_FILE);
  await writeManifest(path, manifest);
  await writeManifest(path, manifest, await readManifest(path));
  const changed = structuredClone(manifest);
  changed.models[2]!.files[0]!.sha256 = '0'.repeat(64);
  await assert.rejects(
    writeManifest(path, changed, manifest),
    /tiny\/2\/onnx-fp32 already published with different files: bump "version"/,
  );
});

test('the committed models/manifest.json matches what the committed stores derive to', async () => {
  const fresh = await deriveAllModels(REPO_MODELS_DIR, await tempDir('committed'));
  const committed = await readManifest(join(REPO_MODELS_DIR, MANIFEST_FILE));
  // The default is chosen when the manifest is written (export manifest --default), not derived.
  const { defaultModel, ...derived } = committed;
  assert.deepEqual(derived, fresh);
  if (defaultModel !== undefined)
    assert.ok(
      committed.models.some((m) => m.id === defaultModel),
      `default ${defaultModel} is listed`,
    );
});

test('model descriptions must be safe to use as URL paths and complete', () => {
  const valid = { id: 'resnet50', version: '2024.1', name: 'x', trainingData: 'synthetic', demo: true };
  assert.deepEqual(validateModelDescription(valid, 'test'), valid);
  assert.throws(() => validateModelDescription({ ...valid, id: '../etc' }, 'test'), /id must match/);
  assert.throws(() => validateModelDescription({ ...valid, version: '.hidden' }, 'test'), /version must match/);
  assert.throws(() => validateModelDescription({ ...valid, demo: 'yes' }, 'test'), /demo must be true or false/);
  assert.throws(
    () => validateModelDescription({ ...valid, metrics: { kappa: 'high' } }, 'test'),
    /metrics must map names to numbers/,
  );
  assert.deepEqual(validateModelDescription({ ...valid, referralThreshold: 0.25 }, 'test'), {
    ...valid,
    referralThreshold: 0.25,
  });
  for (const referralThreshold of [0, 1, '0.3', null]) {
    assert.throws(
      () => validateModelDescription({ ...valid, referralThreshold }, 'test'),
      /referralThreshold must be a probability between 0 and 1/,
    );
  }
});

const NOTICE =
  'Research model trained on 413 photographs from one clinic and one camera type (IDRiD). Not a medical device; not for clinical use.';
const CREDIT =
  'Training data: IDRiD dataset © Prasanna Porwal, Samiksha Pachade and Manesh Kokare, CC BY 4.0 — Porwal et al., Data 3(3), 25 (2018)';

test('model descriptions carry an optional notice and training-data credit, as non-empty strings', () => {
  const valid = { id: 'resnet50', version: '2024.1', name: 'x', trainingData: 'IDRiD', demo: false };
  assert.deepEqual(validateModelDescription({ ...valid, notice: NOTICE, credit: CREDIT }, 'test'), {
    ...valid,
    notice: NOTICE,
    credit: CREDIT,
  });
  assert.deepEqual(validateModelDescription({ ...valid, credit: CREDIT }, 'test'), { ...valid, credit: CREDIT });
  assert.ok(!('notice' in validateModelDescription(valid, 'test')));
  for (const field of ['notice', 'credit']) {
    for (const bad of ['', '   ', 42, null, ['text']]) {
      assert.throws(
        () => validateModelDescription({ ...valid, [field]: bad }, 'test'),
        new RegExp(`test: ${field} must be a non-empty string when present`),
      );
    }
  }
  // Unknown fields are still dropped.
  assert.deepEqual(validateModelDescription({ ...valid, notice: NOTICE, extra: 'x' }, 'test'), {
    ...valid,
    notice: NOTICE,
  });
});

test("every manifest entry carries its model's notice and credit from model-info.json", async () => {
  const store = await tempDir('models-notice');
  await cp(TINY_STORE, join(store, 'tiny'), { recursive: true });
  const info = join(store, 'tiny', 'model-info.json');
  await writeFile(
    info,
    JSON.stringify({ ...JSON.parse(await readFile(info, 'utf8')), notice: NOTICE, credit: CREDIT }),
  );
  const derived = await deriveAllModels(store, await tempDir('dist-notice'));
  assert.equal(derived.models.length, 4);
  for (const entry of derived.models)
    assert.deepEqual([entry.notice, entry.credit], [NOTICE, CREDIT], modelEntryFolder(entry));
  // The fixture store has neither: its entries carry no such keys.
  assert.ok(manifest.models.every((m) => !('notice' in m) && !('credit' in m)));
});
