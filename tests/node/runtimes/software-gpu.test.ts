import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_WEBGPU_ADAPTER, planChain, withoutUnavailableWebgpu } from '../../../workers/runtimes/choose-backend.js';
import { ortWasmBuildFor, planOrtChain } from '../../../workers/runtimes/ort-wasm-build.js';
import {
  settleSoftwareSkips,
  softwareRendererReason,
  withoutSoftwareGpus,
} from '../../../workers/runtimes/software-gpu.js';

describe('softwareRendererReason: WebGL renderer strings', () => {
  const software: Array<[string, string]> = [
    ['Google SwiftShader', 'SwiftShader'],
    ['ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'SwiftShader'],
    ['ANGLE (Google, SWIFTSHADER Device, swiftshader driver)', 'SwiftShader'],
    ['llvmpipe (LLVM 15.0.7, 256 bits)', 'llvmpipe'],
    ['ANGLE (Mesa, llvmpipe (LLVM 17.0.6 256 bits), OpenGL 4.5)', 'llvmpipe'],
    ['Mesa/X.org softpipe', 'softpipe'],
    [
      'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Microsoft Basic Render Driver',
    ],
    ['microsoft basic render driver', 'Microsoft Basic Render Driver'],
  ];
  for (const [renderer, name] of software) {
    it(`refuses ${renderer}`, () => {
      assert.equal(softwareRendererReason(renderer), `WebGL renderer is a software renderer (${name})`);
    });
  }

  const hardware = [
    'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002503) Direct3D11 vs_5_0 ps_5_0, D3D11)',
    'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
    'ANGLE (AMD, AMD Radeon RX 6800 XT Direct3D11 vs_5_0 ps_5_0, D3D11)',
    'Apple M1',
    'ANGLE (Apple, ANGLE Metal Renderer: Apple M2 Pro, Unspecified Version)',
    'Mali-G78',
    'Adreno (TM) 650',
    'WebKit WebGL',
  ];
  for (const renderer of hardware) {
    it(`accepts ${renderer}`, () => assert.equal(softwareRendererReason(renderer), null));
  }

  it('knows nothing from nothing', () => {
    assert.equal(softwareRendererReason(''), null);
    assert.equal(softwareRendererReason(null), null);
    assert.equal(softwareRendererReason(undefined), null);
  });
});

describe('softwareRendererReason: WebGPU adapters', () => {
  it("refuses Chromium's SwiftShader adapter, fallback or not", () => {
    const swiftshader = {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: 'SwiftShader Device (Subzero)',
    };
    for (const isFallbackAdapter of [true, false, undefined]) {
      assert.equal(
        softwareRendererReason({ ...swiftshader, isFallbackAdapter }),
        'WebGPU adapter is a software renderer (SwiftShader)',
      );
    }
  });

  it('names the renderer from whichever field carries it', () => {
    assert.equal(
      softwareRendererReason({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' }),
      'WebGPU adapter is a software renderer (llvmpipe)',
    );
    assert.equal(softwareRendererReason({ device: 'lavapipe' }), 'WebGPU adapter is a software renderer (lavapipe)');
    assert.equal(
      softwareRendererReason({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }),
      'WebGPU adapter is a software renderer (Microsoft Basic Render Driver)',
    );
  });

  it('refuses a fallback adapter that names no renderer', () => {
    assert.equal(
      softwareRendererReason({ isFallbackAdapter: true, vendor: '', architecture: '', device: '', description: '' }),
      'WebGPU adapter is a fallback adapter (software renderer)',
    );
  });

  it('accepts hardware adapters', () => {
    const adapters = [
      {
        isFallbackAdapter: false,
        vendor: 'nvidia',
        architecture: 'ampere',
        device: '',
        description: 'NVIDIA GeForce RTX 3060',
      },
      { vendor: 'apple', architecture: 'metal-3', description: 'Apple M1' },
      { vendor: 'arm', architecture: 'valhall', description: 'Mali-G78' },
      { vendor: 'qualcomm', architecture: 'adreno-6xx', description: 'Adreno (TM) 650' },
      { vendor: 'intel', architecture: 'gen-12lp', device: '', description: '' },
      {},
    ];
    for (const adapter of adapters) assert.equal(softwareRendererReason(adapter), null, JSON.stringify(adapter));
  });
});

describe('automatic choice skips software GPUs', () => {
  const software = {
    webgpu: 'WebGPU adapter is a software renderer (SwiftShader)',
    webgl: 'WebGL renderer is a software renderer (SwiftShader)',
  };
  const tfjsChain = ['webgpu', 'webgl', 'wasm'] as const;

  it('TF.js, automatic: WebGPU and WebGL skipped and reported, wasm tried', () => {
    const { chain, skipped } = withoutSoftwareGpus('auto', tfjsChain, software);
    assert.deepEqual(chain, ['wasm']);
    assert.deepEqual(skipped, [
      { backend: 'webgpu', ok: false, error: software.webgpu, ms: 0 },
      { backend: 'webgl', ok: false, error: software.webgl, ms: 0 },
    ]);
    settleSoftwareSkips(skipped, 'wasm');
    assert.equal(skipped[0]!.error, 'WebGPU adapter is a software renderer (SwiftShader): using WebAssembly');
    assert.equal(skipped[1]!.error, 'WebGL renderer is a software renderer (SwiftShader): using WebAssembly');
  });

  it('TF.js, automatic: only the software one is skipped', () => {
    const { chain, skipped } = withoutSoftwareGpus('auto', tfjsChain, { webgpu: software.webgpu, webgl: null });
    assert.deepEqual(chain, ['webgl', 'wasm']);
    settleSoftwareSkips(skipped, 'webgl');
    assert.deepEqual(
      skipped.map((s) => s.error),
      ['WebGPU adapter is a software renderer (SwiftShader): using WebGL'],
    );
  });

  it('hardware GPUs are kept', () => {
    assert.deepEqual(withoutSoftwareGpus('auto', tfjsChain, {}), { chain: [...tfjsChain], skipped: [] });
    assert.deepEqual(withoutSoftwareGpus('auto', tfjsChain), { chain: [...tfjsChain], skipped: [] });
  });

  it('a forced backend is tried even in software', () => {
    for (const choice of ['webgpu', 'webgl', 'wasm'] as const) {
      assert.deepEqual(withoutSoftwareGpus(choice, tfjsChain, software), { chain: [...tfjsChain], skipped: [] });
    }
  });

  it('ORT: a software adapter skips WebGPU, so the CPU-only build loads', () => {
    const plan = planChain('ort', 'auto', ['webgpu', 'wasm'], { webgpu: software.webgpu });
    assert.deepEqual(plan.chain, ['wasm']);
    assert.deepEqual(plan.skipped, [{ backend: 'webgpu', ok: false, error: software.webgpu, ms: 0 }]);
    const { chain } = planOrtChain(plan.chain, { loadedBuild: null, webgpuAvailable: true });
    assert.equal(ortWasmBuildFor(chain), 'plain');
  });

  it('ORT: no software reason keeps WebGPU', () => {
    for (const webgpu of [null, undefined]) {
      assert.deepEqual(planChain('ort', 'auto', ['webgpu', 'wasm'], { webgpu }).chain, ['webgpu', 'wasm']);
    }
  });

  it('ORT: a forced WebGPU is tried on a software adapter', () => {
    assert.deepEqual(planChain('ort', 'webgpu', ['webgpu', 'wasm'], { webgpu: software.webgpu }).chain, [
      'webgpu',
      'wasm',
    ]);
  });

  it('settles skips when nothing came up', () => {
    const skip = { backend: 'webgpu', ok: false, error: software.webgpu, ms: 0 };
    settleSoftwareSkips([skip], null);
    assert.equal(skip.error, 'WebGPU adapter is a software renderer (SwiftShader): not chosen automatically');
  });
});

describe('withoutUnavailableWebgpu: a browser with no WebGPU adapter', () => {
  it('leaves WebGPU out of either runtime’s chain and says why, forced or automatic', () => {
    assert.deepEqual(withoutUnavailableWebgpu(['webgpu', 'webgl', 'wasm'], false), {
      chain: ['webgl', 'wasm'],
      skipped: [{ backend: 'webgpu', ok: false, error: NO_WEBGPU_ADAPTER, ms: 0 }],
    });
    assert.deepEqual(planOrtChain(['webgpu', 'wasm'], { webgpuAvailable: false, loadedBuild: null }).skipped, [
      { backend: 'webgpu', ok: false, error: NO_WEBGPU_ADAPTER, ms: 0 },
    ]);
  });

  it('tries WebGPU when an adapter was found or nothing is known, and reports nothing when WebGPU is not wanted', () => {
    for (const available of [true, undefined])
      assert.deepEqual(withoutUnavailableWebgpu(['webgpu', 'wasm'], available), {
        chain: ['webgpu', 'wasm'],
        skipped: [],
      });
    assert.deepEqual(withoutUnavailableWebgpu(['webgl', 'wasm'], false), { chain: ['webgl', 'wasm'], skipped: [] });
  });
});
