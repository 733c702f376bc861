import { expect } from '@open-wc/testing';
import { InferenceClient } from '../../workers/inference-client.js';
import { InferenceError, PROTOCOL_VERSION } from '../../src/shared/protocol.js';
import type { TestingRequestMap } from '../../workers/testing/test-protocol.js';
import {
  fixture,
  initParams,
  initWorker,
  inspectParams,
  keptGradeParams,
  rejectionOf,
  startWorker,
  tinyModels,
  type TestClient,
} from './worker-client.js';

/** The production entry as build.mjs bundles it (web-test-runner.config.mjs serves it here). */
const PRODUCTION_WORKER_URL = '/__bundle/inference.production.worker.js';

describe('inference worker round trip', () => {
  let client: TestClient | undefined;
  afterEach(() => client?.terminate());

  it('brings up WebGPU for both runtimes when asked (software adapter in CI)', async () => {
    const started = await initWorker('webgpu', 'webgpu');
    client = started.client;
    const { report } = started;
    expect(report.protocolVersion).to.equal(PROTOCOL_VERSION);
    expect(report.environment.webgpu.available, 'navigator.gpu adapter in the worker').to.equal(true);
    expect(report.tfjs.backend, JSON.stringify(report.tfjs.attempts)).to.equal('webgpu');
    expect(report.ort.backend, JSON.stringify(report.ort.attempts)).to.equal('webgpu');
    expect(report.tfjs.version).to.match(/^\d+\.\d+\.\d+/);
    expect(report.ort.version).to.match(/^\d+\.\d+\.\d+/);
    expect(report.ort.wasmFile, 'WebGPU runs on the JSEP build').to.equal('ort-wasm-simd-threaded.jsep.wasm');
  });

  it('brings up wasm for both runtimes when asked', async () => {
    const started = await initWorker('wasm', 'wasm');
    client = started.client;
    expect(started.report.tfjs.backend).to.equal('wasm');
    expect(started.report.ort.backend).to.equal('wasm');
    expect(started.report.tfjs.attempts.map((a) => a.backend)).to.deep.equal(['wasm']);
    expect(started.report.ort.wasmFile, 'wasm alone loads the CPU-only build').to.equal('ort-wasm-simd-threaded.wasm');
    // No thread count asked: each runtime's own default, reported as the number really used.
    const cores = navigator.hardwareConcurrency;
    expect(started.report.environment.hardwareConcurrency).to.equal(cores);
    for (const threads of [started.report.tfjs.wasmThreads, started.report.ort.wasmThreads]) {
      expect(threads).to.be.a('number');
      expect(threads).to.be.within(1, cores);
    }
  });

  it("runs wasm on the thread count the page asks for, past tfjs-wasm's half-the-cores cap", async () => {
    const threads = Math.min(4, navigator.hardwareConcurrency);
    const started = startWorker();
    client = started.client;
    const report = await started.client.request('init', { ...initParams('wasm', 'wasm'), wasmThreads: threads });
    expect(report.tfjs.wasmThreads).to.equal(threads);
    expect(report.ort.wasmThreads).to.equal(threads);
    expect(report.environment.hardwareConcurrency, 'the real core count, not the lifted one').to.equal(
      navigator.hardwareConcurrency,
    );
  });

  it('keeps ORT on wasm when a worker that loaded the CPU-only build is asked for WebGPU', async () => {
    const started = await initWorker('wasm', 'wasm');
    client = started.client;
    const again = await client.request('init', initParams('wasm', 'webgpu'));
    expect(again.ort.backend).to.equal('wasm');
    expect(again.ort.wasmFile).to.equal('ort-wasm-simd-threaded.wasm');
    const skipped = again.ort.attempts.find((a) => a.backend === 'webgpu');
    expect(skipped?.ok).to.equal(false);
    expect(skipped?.error).to.match(/CPU-only build/);
  });

  it('brings up WebGL for TF.js when asked', async () => {
    const started = await initWorker('webgl', 'wasm');
    client = started.client;
    expect(started.report.tfjs.backend).to.equal('webgl');
  });

  it('reports progress for each backend it tries', async () => {
    const started = startWorker();
    client = started.client;
    const seen: string[] = [];
    await client.request('init', initParams('wasm', 'wasm'), {
      onProgress: (p) => seen.push(`${p.stage}:${p.backend}`),
    });
    expect(seen).to.deep.equal(['tfjs:wasm', 'ort:wasm']);
  });

  it('settles a cancelled request with code "aborted"', async () => {
    const started = startWorker();
    client = started.client;
    const controller = new AbortController();
    const pending = client.request('init', initParams('wasm', 'wasm'), { signal: controller.signal });
    controller.abort();
    const error = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(InferenceError);
    expect((error as InferenceError).code).to.equal('aborted');
  });

  it('answers a malformed message with a bad-request error instead of crashing', async () => {
    const { worker } = startWorker();
    const reply = new Promise<unknown>((resolve) =>
      worker.addEventListener('message', (e) => resolve(e.data), { once: true }),
    );
    worker.postMessage({ kind: 'request', id: 7, type: 'no-such-request', params: {} });
    expect(await reply).to.deep.equal({
      kind: 'error',
      id: 7,
      error: { code: 'bad-request', message: 'malformed message' },
    });
    worker.terminate();
  });

  it('answers the test-only requests in the test build, and with bad-request in the production worker, which keeps photos too', async () => {
    const started = await initWorker('wasm', 'wasm');
    client = started.client;
    expect(await client.request('unload-models', {})).to.deep.equal({ released: 0 });

    const production = new InferenceClient<TestingRequestMap>(new Worker(PRODUCTION_WORKER_URL, { type: 'module' }));
    try {
      const report = await production.request('init', initParams('wasm', 'wasm'));
      expect(report.protocolVersion).to.equal(PROTOCOL_VERSION);
      const refusals = await Promise.all([
        rejectionOf(production.request('memory', {})),
        rejectionOf(production.request('unload-models', {})),
        rejectionOf(production.request('simulate-device-loss', { runtime: 'ort', when: 'now' })),
        rejectionOf(production.request('photo-stats', {})),
        rejectionOf(production.request('forget-photos', {})),
        rejectionOf(production.request('script-gpus', { webgpuAdapter: { vendor: 'scripted' } })),
      ]);
      expect(refusals.map((e) => e.code)).to.deep.equal(refusals.map(() => 'bad-request'));
      // The production entry keeps inspected photos too: grading one by its id sends no bytes.
      const image = await fixture('fundus.jpeg');
      const { photoId } = await production.request('inspect', inspectParams(image), { transfer: [image] });
      const models = await tinyModels('fp16');
      expect((await production.request('grade', keptGradeParams(photoId, models))).fov.found).to.equal(true);
      const unknown = await rejectionOf(production.request('grade', keptGradeParams(crypto.randomUUID(), models)));
      expect(unknown.code).to.equal('photo-not-kept');
    } finally {
      production.terminate();
    }
  });
});

describe('cross-origin isolation', () => {
  it('the test page is cross-origin isolated (wasm threads need SharedArrayBuffer)', () => {
    expect(self.crossOriginIsolated).to.equal(true);
    expect(typeof SharedArrayBuffer).to.equal('function');
  });

  it('the worker is cross-origin isolated too', async () => {
    const { client, report } = await initWorker('wasm', 'wasm');
    client.terminate();
    expect(report.environment.crossOriginIsolated).to.equal(true);
  });
});
