import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { deriveModelFormats } from '../../../src/pipeline/export/derive.js';
import { readTfjsModel } from '../../../src/pipeline/export/tfjs-files.js';
import { loadLayersModelFromDir } from '../../../src/pipeline/export/tfjs-model-io.js';
import { makeTinyModel } from '../../../src/pipeline/export/tiny-model.js';
import { tempDir, TINY_STORE } from './fixtures.js';

before(async () => {
  await tf.setBackend('wasm');
});

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = new Map<string, Buffer>();
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path));
  }
  return files;
}

test('derives the four forms, byte-identical on every run', async () => {
  const [a, b] = [await tempDir('derive-a'), await tempDir('derive-b')];
  const derived = await deriveModelFormats(TINY_STORE, a);
  await deriveModelFormats(TINY_STORE, b);
  assert.equal(derived.inputSize, 300);
  assert.deepEqual(
    derived.formats.map((f) => [f.variant, f.format, f.weights, f.entry]),
    [
      ['tfjs', 'tfjs-layers', 'fp32', 'tfjs-fp32/model.json'],
      ['tfjs', 'tfjs-layers', 'fp16', 'tfjs-fp16/model.json'],
      ['onnx', 'onnx', 'fp32', 'onnx-fp32/model.onnx'],
      ['onnx', 'onnx', 'fp16', 'onnx-fp16/model.onnx'],
    ],
  );
  const [first, second] = [await filesUnder(a), await filesUnder(b)];
  assert.deepEqual([...first.keys()].sort(), derived.formats.flatMap((f) => f.files).sort());
  assert.deepEqual(second, first);
});

test('TF.js fp16 is the canonical store itself; fp32 holds the same values and predicts identically', async () => {
  const out = await tempDir('derive-tfjs');
  await deriveModelFormats(TINY_STORE, out);
  const canonical = await filesUnder(TINY_STORE);
  for (const [name, bytes] of await filesUnder(join(out, 'tfjs-fp16')))
    assert.deepEqual(bytes, canonical.get(name), name);

  const [half, full] = [await readTfjsModel(TINY_STORE), await readTfjsModel(join(out, 'tfjs-fp32'))];
  assert.ok(full.weights.every((w) => w.storedAs === 'fp32'));
  assert.deepEqual(
    full.weights.map((w) => w.values),
    half.weights.map((w) => w.values),
  );

  const pixels = tf.randomUniform([2, 300, 300, 3], 0, 255, 'float32', 3);
  const predict = async (dir: string) => {
    const model = await loadLayersModelFromDir(dir);
    const p = tf.tidy(() => (model.predict(pixels) as tf.Tensor).dataSync());
    model.dispose();
    return p;
  };
  assert.deepEqual(await predict(join(out, 'tfjs-fp32')), await predict(join(out, 'tfjs-fp16')));
  pixels.dispose();
});

test('make-tiny-model reproduces the committed models/tiny', async () => {
  const dir = await tempDir('tiny');
  await makeTinyModel(dir);
  const [fresh, committed] = [await filesUnder(dir), await filesUnder(TINY_STORE)];
  assert.deepEqual([...fresh.keys()].sort(), [...committed.keys()].sort());
  for (const name of ['group1-shard1of1.bin', 'model-info.json'])
    assert.deepEqual(fresh.get(name), committed.get(name), name);
  // model.json names the TF.js version that wrote it; everything else must match.
  const withoutVersions = (bytes: Buffer | undefined) => {
    const json = JSON.parse(String(bytes)) as { generatedBy?: string; modelTopology: { keras_version?: string } };
    delete json.generatedBy;
    delete json.modelTopology.keras_version;
    return json;
  };
  assert.deepEqual(withoutVersions(fresh.get('model.json')), withoutVersions(committed.get('model.json')));
});
