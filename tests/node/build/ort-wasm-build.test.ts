import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ORT_WASM_FILES, ortWasmBuildFor, ortWasmUrls, planOrtChain } from '../../../workers/runtimes/ort-wasm-build.js';
import { vendorPackages } from '../../../tools/bundle-options.mjs';

describe("ONNX Runtime's wasm builds", () => {
  it('WebGPU anywhere in the chain needs the JSEP build; wasm alone takes the CPU-only one', () => {
    assert.equal(ortWasmBuildFor(['webgpu', 'wasm']), 'jsep');
    assert.equal(ortWasmBuildFor(['webgpu']), 'jsep');
    assert.equal(ortWasmBuildFor(['wasm']), 'plain');
    assert.deepEqual(ortWasmUrls('/vendor/ort/', 'plain'), { mjs: '/vendor/ort/ort-wasm-simd-threaded.mjs', wasm: '/vendor/ort/ort-wasm-simd-threaded.wasm' });
  });

  it('the build copies both builds from the package (the service worker precaches what is copied)', () => {
    const ort = vendorPackages.find((pkg) => pkg.name === 'onnxruntime-web');
    assert.ok(ort, 'onnxruntime-web is vendored');
    for (const files of Object.values(ORT_WASM_FILES)) {
      for (const file of [files.mjs, files.wasm]) {
        assert.ok(ort.files.includes(file), `${file} is copied`);
        assert.ok(existsSync(join(ort.from, file)), `${file} is in the installed package`);
      }
    }
  });
});

describe('planOrtChain', () => {
  it('tries WebGPU when the adapter is there or not known yet', () => {
    for (const webgpuAvailable of [true, undefined]) {
      assert.deepEqual(planOrtChain(['webgpu', 'wasm'], { webgpuAvailable, loadedBuild: null }), { chain: ['webgpu', 'wasm'], skipped: [] });
    }
  });

  it('skips WebGPU without an adapter, saying why, so the CPU-only build loads', () => {
    const { chain, skipped } = planOrtChain(['webgpu', 'wasm'], { webgpuAvailable: false, loadedBuild: null });
    assert.deepEqual(chain, ['wasm']);
    assert.equal(ortWasmBuildFor(chain), 'plain');
    assert.deepEqual(skipped, [{ backend: 'webgpu', ok: false, error: 'this browser offers no WebGPU adapter', ms: 0 }]);
  });

  it('skips WebGPU once the CPU-only build is loaded, and only then', () => {
    const afterPlain = planOrtChain(['webgpu', 'wasm'], { webgpuAvailable: true, loadedBuild: 'plain' });
    assert.deepEqual(afterPlain.chain, ['wasm']);
    assert.match(afterPlain.skipped[0]!.error!, /CPU-only build.*new worker/);
    assert.deepEqual(planOrtChain(['webgpu', 'wasm'], { webgpuAvailable: true, loadedBuild: 'jsep' }).chain, ['webgpu', 'wasm']);
  });

  it('records one skipped attempt however many reasons, and none when WebGPU was not wanted', () => {
    assert.equal(planOrtChain(['webgpu', 'wasm'], { webgpuAvailable: false, loadedBuild: 'plain' }).skipped.length, 1);
    assert.deepEqual(planOrtChain(['wasm'], { webgpuAvailable: false, loadedBuild: 'plain' }), { chain: ['wasm'], skipped: [] });
  });
});
