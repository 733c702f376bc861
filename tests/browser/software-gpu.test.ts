import { expect } from '@open-wc/testing';
import { initWorker, type TestClient } from './worker-client.js';

/** The page's WebGL renderer string (same GPU process as the worker's), unmasked where allowed. */
function pageWebglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl');
  if (!gl) return '';
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = [debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : '', gl.getParameter(gl.RENDERER)].join(
    ' ',
  );
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

/**
 * web-test-runner starts Chromium with --enable-unsafe-webgpu --enable-unsafe-swiftshader
 * (tools/chromium.mjs): its WebGPU adapter, and its WebGL, are SwiftShader on a machine without a
 * GPU. Automatic choice must not pick them; forcing them still must.
 */
describe('automatic backend choice on a software GPU', () => {
  let client: TestClient | undefined;
  afterEach(() => client?.terminate());

  it('skips a software WebGPU and WebGL for both runtimes, says why, and runs on wasm', async function () {
    const started = await initWorker('auto', 'auto');
    client = started.client;
    const { report } = started;
    const adapter = report.environment.webgpu.adapter ?? '';
    if (!/swiftshader/i.test(adapter)) this.skip(); // a real GPU here: nothing to skip
    const why = (attempts: typeof report.tfjs.attempts, backend: string) => attempts.find((a) => a.backend === backend);

    expect(report.tfjs.backend, JSON.stringify(report.tfjs.attempts)).to.equal('wasm');
    expect(report.ort.backend, JSON.stringify(report.ort.attempts)).to.equal('wasm');
    for (const runtime of [report.tfjs, report.ort]) {
      const skip = why(runtime.attempts, 'webgpu');
      expect(skip?.ok, runtime.runtime).to.equal(false);
      expect(skip?.error, runtime.runtime).to.equal(
        'WebGPU adapter is a software renderer (SwiftShader): using WebAssembly',
      );
      expect(skip?.ms).to.equal(0);
    }
    if (/swiftshader/i.test(pageWebglRenderer())) {
      expect(why(report.tfjs.attempts, 'webgl')?.error).to.equal(
        'WebGL renderer is a software renderer (SwiftShader): using WebAssembly',
      );
    }
    // Nothing was tried but wasm, so ORT loaded its CPU-only build.
    expect(report.tfjs.attempts.filter((a) => a.ok).map((a) => a.backend)).to.deep.equal(['wasm']);
    expect(report.ort.wasmFile).to.equal('ort-wasm-simd-threaded.wasm');
  });

  it('still brings up a forced WebGPU on the software adapter', async () => {
    const started = await initWorker('webgpu', 'webgpu');
    client = started.client;
    const { report } = started;
    expect(report.tfjs.backend, JSON.stringify(report.tfjs.attempts)).to.equal('webgpu');
    expect(report.ort.backend, JSON.stringify(report.ort.attempts)).to.equal('webgpu');
    expect(report.tfjs.attempts.every((a) => a.ok)).to.equal(true);
  });

  it('still brings up a forced WebGL on a software renderer', async () => {
    const started = await initWorker('webgl', 'wasm');
    client = started.client;
    expect(started.report.tfjs.backend, JSON.stringify(started.report.tfjs.attempts)).to.equal('webgl');
  });
});
