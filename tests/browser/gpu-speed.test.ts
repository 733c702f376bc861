import { expect } from '@open-wc/testing';
import type { BackendChoice, BackendVerdict, InitResult, RuntimeReport } from '../../src/shared/protocol.js';
import type { GpuScript } from '../../workers/testing/test-protocol.js';
import { initParams, startWorker, type TestClient } from './worker-client.js';

/**
 * The automatic choice drops a GPU measured slower than wasm, and applies remembered verdicts. Chromium
 * here has only SwiftShader, which the automatic choice never judges (software-gpu.test.ts): the test
 * build's 'script-gpus' request names it a hardware adapter instead, so WebGPU is judged, and timed for
 * real (SwiftShader is far slower than wasm), or a remembered verdict applies to it.
 */
const ADAPTER = { vendor: 'scripted', architecture: 'test-gpu', description: 'Hardware GPU (scripted)' };
const ADAPTER_NAME = 'scripted test-gpu Hardware GPU (scripted)';
const BROWSER = 'Test Browser 2';
const SCRIPT: GpuScript = { webgpuAdapter: ADAPTER, browser: BROWSER };
const RUNTIMES = ['tfjs', 'ort'] as const;

function verdict(runtime: 'tfjs' | 'ort', overrides: Partial<BackendVerdict> = {}): BackendVerdict {
  return {
    runtime,
    backend: 'webgpu',
    gpuMs: 180,
    wasmMs: 40,
    keep: false,
    device: ADAPTER_NAME,
    browser: BROWSER,
    measuredAt: Date.UTC(2025, 2, 2, 12),
    ...overrides,
  };
}

async function softwareAdapterOnly(): Promise<boolean> {
  const adapter = await navigator.gpu?.requestAdapter();
  const info = adapter?.info;
  return !!info && /swiftshader/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

const webgpuAttempt = (report: RuntimeReport) => report.attempts.find((a) => a.backend === 'webgpu');
const describeAttempts = (report: RuntimeReport) => JSON.stringify(report.attempts);

describe('automatic choice: a GPU slower than wasm is dropped, and the verdict remembered', () => {
  let client: TestClient | undefined;
  afterEach(() => client?.terminate());

  async function start(choice: BackendChoice, verdicts?: unknown[]): Promise<InitResult> {
    client = startWorker().client;
    expect((await client.request('script-gpus', SCRIPT)).scripted).to.equal(true);
    const params = { ...initParams(choice, choice), ...(verdicts ? { verdicts: verdicts as BackendVerdict[] } : {}) };
    return client.request('init', params);
  }

  beforeEach(async function () {
    // On a real GPU the timing could go either way: these tests need the software adapter.
    if (!(await softwareAdapterOnly())) this.skip();
  });

  it('times a scripted hardware GPU against wasm, drops it for being slower and says why; expired and malformed verdicts are ignored', async () => {
    const before = Date.now();
    const expired = [
      verdict('tfjs', { keep: true, browser: 'Test Browser 1' }),
      verdict('ort', { keep: true, device: 'another GPU' }),
      { ...verdict('tfjs', { keep: true }), gpuMs: 'fast' },
      'not a verdict',
    ];
    const report = await start('auto', expired);
    for (const runtime of RUNTIMES) {
      const runtimeReport = report[runtime];
      expect(runtimeReport.backend, describeAttempts(runtimeReport)).to.equal('wasm');
      const measured = runtimeReport.verdicts ?? [];
      expect(measured, runtime).to.have.length(1);
      const [judged] = measured as [NonNullable<RuntimeReport['verdicts']>[number]];
      expect(judged).to.include({
        runtime,
        backend: 'webgpu',
        keep: false,
        device: ADAPTER_NAME,
        browser: BROWSER,
        remembered: false,
      });
      expect(judged.gpuMs, runtime).to.be.greaterThan(judged.wasmMs);
      expect(judged.measuredAt).to.be.within(before, Date.now());
      const attempt = webgpuAttempt(runtimeReport);
      expect(attempt?.ok).to.equal(false);
      expect(attempt?.error, runtime).to.match(
        /^WebGPU measured slower than WebAssembly on this device \(probe [\d.]+ ms vs [\d.]+ ms\): using WebAssembly$/,
      );
    }
    // WebGL is still Chromium's software renderer: skipped as such, never timed.
    expect(report.tfjs.attempts.find((a) => a.backend === 'webgl')?.error).to.match(/software renderer/);
  });

  it('applies a remembered slower verdict without timing: WebGPU is not even tried, so ORT loads its CPU-only build', async () => {
    const remembered = RUNTIMES.map((runtime) => verdict(runtime));
    const report = await start('auto', remembered);
    for (const runtime of RUNTIMES) {
      const runtimeReport = report[runtime];
      expect(runtimeReport.backend, describeAttempts(runtimeReport)).to.equal('wasm');
      expect(runtimeReport.verdicts).to.deep.equal([{ ...verdict(runtime), remembered: true }]);
      expect(webgpuAttempt(runtimeReport)).to.deep.equal({
        backend: 'webgpu',
        ok: false,
        error:
          'WebGPU measured slower than WebAssembly on this device (probe 180 ms vs 40 ms, remembered from 2025-03-02): using WebAssembly',
        ms: 0,
      });
    }
    expect(report.ort.wasmFile).to.equal('ort-wasm-simd-threaded.wasm');
  });

  it('applies a remembered faster verdict without timing: WebGPU is kept', async () => {
    const remembered = RUNTIMES.map((runtime) => verdict(runtime, { gpuMs: 9, keep: true }));
    const report = await start('auto', remembered);
    for (const runtime of RUNTIMES) {
      const runtimeReport = report[runtime];
      expect(runtimeReport.backend, describeAttempts(runtimeReport)).to.equal('webgpu');
      expect(runtimeReport.verdicts).to.deep.equal([
        { ...verdict(runtime, { gpuMs: 9, keep: true }), remembered: true },
      ]);
      expect(webgpuAttempt(runtimeReport)?.ok).to.equal(true);
      expect(runtimeReport.attempts.filter((a) => a.ok).map((a) => a.backend)).to.deep.equal(['webgpu']);
    }
  });

  it('a forced WebGPU ignores the verdicts and is brought up', async () => {
    const report = await start('webgpu', [verdict('tfjs'), verdict('ort')]);
    for (const runtime of RUNTIMES) {
      expect(report[runtime].backend, describeAttempts(report[runtime])).to.equal('webgpu');
      expect(report[runtime].verdicts).to.equal(undefined);
    }
  });
});
