import { expect } from '@open-wc/testing';
import { defaultModelId, listModels, pickModels, resolveModels } from '../../src/app/model-catalog.js';
import { DEFAULT_SETTINGS, loadSettings, saveSettings, withoutSettingsQuery } from '../../src/app/settings.js';
import type { ModelManifest, ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { loadManifest } from './worker-client.js';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
}

describe('settings', () => {
  it('defaults to automatic backends and fp16 weights', () => {
    expect(loadSettings(memoryStorage(), '')).to.deep.equal(DEFAULT_SETTINGS);
  });

  it('keeps saved settings and lets the address override them for one visit', () => {
    const storage = memoryStorage();
    saveSettings(storage, { tfjs: 'webgl', ort: 'wasm', model: 'tiny', weights: 'fp32' });
    expect(loadSettings(storage, '')).to.deep.equal({ tfjs: 'webgl', ort: 'wasm', model: 'tiny', weights: 'fp32' });
    expect(loadSettings(storage, '?backend=webgpu&weights=fp16&model=other')).to.deep.equal({
      tfjs: 'webgpu',
      ort: 'webgpu',
      model: 'other',
      weights: 'fp16',
    });
    expect(loadSettings(storage, '?tfjs=wasm&weights=fp8')).to.deep.include({
      tfjs: 'wasm',
      ort: 'wasm',
      weights: 'fp32',
    });
  });

  it('ignores a damaged saved entry', () => {
    expect(loadSettings(memoryStorage({ 'fundus-grader.settings': '{not json' }), '')).to.deep.equal(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStorage({ 'fundus-grader.settings': '{"tfjs":"cuda","weights":3}' }), '')).to.deep.equal(
      DEFAULT_SETTINGS,
    );
  });

  it('drops the override parameters from the address and keeps the others', () => {
    expect(withoutSettingsQuery('?backend=wasm&lang=en&model=tiny')).to.equal('?lang=en');
    expect(withoutSettingsQuery('?tfjs=wasm')).to.equal('');
  });
});

describe('model catalog', () => {
  let manifest: ModelManifest;
  before(async () => {
    manifest = await loadManifest();
  });

  it('lists each model once with the download size of both variants per weight form', () => {
    const tiny = listModels(manifest).find((m) => m.id === 'tiny')!;
    const size = (weights: string) =>
      manifest.models
        .filter((m) => m.id === 'tiny' && m.weights === weights)
        .flatMap((m) => m.files)
        .reduce((sum, f) => sum + f.bytes, 0);
    expect(tiny.bytes).to.deep.equal({ fp16: size('fp16'), fp32: size('fp32') });
    expect(tiny.demo).to.equal(true);
  });

  it('picks both variants of a model, and falls back to the other weight form or the default model', () => {
    const pair = pickModels(manifest, 'tiny', 'fp32')!;
    expect([pair.tfjs.entry, pair.ort.entry]).to.deep.equal([
      'tiny/2/tfjs-fp32/model.json',
      'tiny/2/onnx-fp32/model.onnx',
    ]);
    const onlyFp32: ModelManifest = { ...manifest, models: manifest.models.filter((m) => m.weights === 'fp32') };
    expect(resolveModels(onlyFp32, 'tiny', 'fp16')!.tfjs.weights).to.equal('fp32');
    expect(resolveModels(manifest, 'no-such-model', 'fp16')!.tfjs.id).to.equal(defaultModelId(manifest));
  });

  it('prefers the manifest default, else the first model that has both variants', () => {
    const entry = (id: string, variant: ModelManifestEntry['variant']): ModelManifestEntry => ({
      ...manifest.models[0]!,
      id,
      variant,
      format: variant === 'tfjs' ? 'tfjs-layers' : 'onnx',
    });
    const models = [
      entry('half', 'tfjs'),
      entry('a', 'tfjs'),
      entry('a', 'onnx'),
      entry('b', 'tfjs'),
      entry('b', 'onnx'),
    ];
    expect(defaultModelId({ schemaVersion: 1, models })).to.equal('a');
    expect(defaultModelId({ schemaVersion: 1, defaultModel: 'b', models })).to.equal('b');
    expect(defaultModelId({ schemaVersion: 1, defaultModel: 'half', models })).to.equal('a');
  });
});
