// InitParams.preload: the models named at init are read from Cache Storage while the runtimes come up and
// loaded as soon as each runtime is up; `load-models` takes that load over. Both workers: TF.js's variant
// in the inference worker, ORT's in its own.
import { expect } from '@open-wc/testing';
import type { ModelFile, ModelManifestEntry } from '../../src/shared/model-manifest.js';
import type { LoadModelsParams, ModelLoadProgress, ModelPair } from '../../src/shared/protocol.js';
import { initParams, rejectionOf, startWorker, tinyModels, type TestClient } from './worker-client.js';

interface Served {
  path: string;
}

/** A test server route whose weights downloads are cut half-way (tests/browser/serve-models.mjs). */
function cutNetwork() {
  const base = `/__cut-network/${crypto.randomUUID()}/`;
  return {
    modelsUrl: `${base}models/`,
    served: async () => (await (await fetch(`${base}log`)).json()) as Served[],
  };
}

describe('models named at init (InitParams.preload)', function () {
  this.timeout(60000);
  const cacheName = `fundus-grader-test-preload-${crypto.randomUUID()}`;
  let pair: ModelPair;
  let client: TestClient | null = null;

  const entries = () => [pair.tfjs, pair.ort];
  const urlOf = (modelsUrl: string, file: ModelFile) => new URL(file.path, new URL(modelsUrl, location.href)).href;

  /** Stores every file of both variants under `modelsUrl`, as the service worker's precache would. */
  async function storeModels(modelsUrl: string, change?: (entry: ModelManifestEntry, bytes: Uint8Array) => void) {
    const cache = await caches.open(cacheName);
    for (const entry of entries()) {
      for (const file of entry.files) {
        const bytes = new Uint8Array(await (await fetch(urlOf('/models/', file))).arrayBuffer());
        change?.(entry, bytes);
        await cache.put(urlOf(modelsUrl, file), new Response(bytes));
      }
    }
  }

  async function started(preload: LoadModelsParams): Promise<TestClient> {
    client = startWorker().client;
    await client.request('init', { ...initParams('wasm', 'wasm'), preload });
    return client;
  }

  before(async () => {
    pair = await tinyModels();
  });
  afterEach(async () => {
    client?.terminate();
    client = null;
    await caches.delete(cacheName);
  });

  it('reads the stored files before init answers, and load-models loads from them', async () => {
    const network = cutNetwork();
    await storeModels(network.modelsUrl);
    const preload = { modelsUrl: network.modelsUrl, models: pair };
    const worker = await started(preload);
    // Gone from storage, and the network cuts every weights file: only what init read can load now.
    await caches.delete(cacheName);

    const progress: ModelLoadProgress[] = [];
    const report = await worker.request('load-models', preload, { onProgress: (p) => progress.push(p) });
    expect(report.tfjs).to.include({ loaded: true, backend: 'wasm' });
    expect(report.ort).to.include({ loaded: true, backend: 'wasm' });
    expect(await network.served(), 'no weights file downloaded').to.deep.equal([]);
    expect(progress.filter((p) => p.stage === 'warm-up').map((p) => p.runtime)).to.have.members(['tfjs', 'ort']);
    const memory = await worker.request('memory', {});
    expect(memory.ort.sessions, "ORT's model, loaded once").to.equal(1);
  });

  it('leaves a variant whose files are not stored to load-models, which downloads them', async () => {
    const preload = { modelsUrl: '/models/', models: pair };
    const worker = await started(preload);
    const progress: ModelLoadProgress[] = [];
    const report = await worker.request('load-models', preload, { onProgress: (p) => progress.push(p) });
    expect(report.tfjs.loaded).to.equal(true);
    expect(report.ort.loaded).to.equal(true);
    expect(progress.some((p) => p.stage === 'download')).to.equal(true);
  });

  it('refuses a stored file that is not the file: load-models reports it', async () => {
    const network = cutNetwork();
    await storeModels(network.modelsUrl, (entry, bytes) => {
      if (entry.variant === 'onnx') bytes[bytes.length - 1]! ^= 0xff;
    });
    const preload = { modelsUrl: network.modelsUrl, models: pair };
    const worker = await started(preload);
    const error = await rejectionOf(worker.request('load-models', preload));
    expect(error.code).to.equal('model-integrity');
    expect(error.message).to.include(`${pair.ort.files[0]!.path} does not match its sha256`);
  });

  it('loads other models when load-models asks for others than init named', async () => {
    const network = cutNetwork();
    await storeModels(network.modelsUrl);
    const worker = await started({ modelsUrl: network.modelsUrl, models: pair });
    const fp32 = await tinyModels('fp32');
    const report = await worker.request('load-models', { modelsUrl: '/models/', models: fp32 });
    expect(report.tfjs.model).to.match(/fp32$/);
    expect(report.ort.model).to.match(/fp32$/);
    const memory = await worker.request('memory', {});
    expect(memory.ort.sessions, 'the preloaded session was freed').to.equal(1);
  });
});
