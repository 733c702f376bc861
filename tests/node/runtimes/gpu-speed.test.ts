import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendChoice, BackendVerdict } from '../../../src/shared/protocol.js';
import { isBackendVerdict } from '../../../src/shared/protocol.js';
import {
  automaticGpuChoice,
  planChain,
  walkBackendChain,
  type GpusFound,
} from '../../../workers/runtimes/choose-backend.js';
import {
  browserIdentity,
  FIRST_RUN_ALLOWANCE_MS,
  GPU_KEEP_MARGIN,
  median,
  rememberedVerdict,
  timeProbe,
  type GpuBackend,
  type ProbeTiming,
  type SpeedJudging,
} from '../../../workers/runtimes/gpu-speed.js';
import { ortWasmBuildFor, planOrtChain } from '../../../workers/runtimes/ort-wasm-build.js';
import { settleSoftwareSkips } from '../../../workers/runtimes/software-gpu.js';

const RTX = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060' };
const RTX_NAME = 'nvidia ampere NVIDIA GeForce RTX 3060';
const ANGLE_RTX = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)';
const CHROME_126 = 'Chromium 126, Google Chrome 126';
const CHROME_127 = 'Chromium 127, Google Chrome 127';
const MEASURED_AT = Date.UTC(2025, 2, 2, 10, 30);
const NOW = Date.UTC(2025, 5, 1);
const TFJS_CHAIN = ['webgpu', 'webgl', 'wasm'] as const;

const found = (overrides: Partial<GpusFound> = {}): GpusFound => ({
  webgpuAdapter: RTX,
  webglRenderer: ANGLE_RTX,
  browser: CHROME_126,
  ...overrides,
});

function verdict(overrides: Partial<BackendVerdict> = {}): BackendVerdict {
  return {
    runtime: 'tfjs',
    backend: 'webgpu',
    gpuMs: 180,
    wasmMs: 40,
    keep: false,
    device: RTX_NAME,
    browser: CHROME_126,
    measuredAt: MEASURED_AT,
    ...overrides,
  };
}

/**
 * A TF.js start on scripted GPUs: every backend comes up (unless listed in `failing`), and each GPU
 * backend measures as `timings` says. Returns what the runtime would report, and what was measured.
 */
async function scriptedStart(options: {
  choice?: BackendChoice;
  gpus?: GpusFound;
  remembered?: unknown;
  timings?: Partial<Record<GpuBackend, ProbeTiming | null | Error>>;
  failing?: string[];
}) {
  const { choice = 'auto', gpus = found(), remembered = [], timings = {} } = options;
  // No renderer string: the worker has no WebGL, which then does not come up either.
  const failing = [...(options.failing ?? []), ...(gpus.webglRenderer === null ? ['webgl'] : [])];
  const { software, judging } = automaticGpuChoice(gpus, remembered);
  // As tfjs-runtime.ts tfjsChain: a forced backend falls back only to those after it.
  const wanted = choice === 'auto' ? TFJS_CHAIN : TFJS_CHAIN.slice(TFJS_CHAIN.indexOf(choice));
  const plan = planChain('tfjs', choice, wanted, software, judging);
  const measured: GpuBackend[] = [];
  const broughtUp: string[] = [];
  let tick = 0;
  const walked = await walkBackendChain({
    runtime: 'tfjs',
    chain: plan.chain,
    judging: plan.judging,
    onAttempt: () => undefined,
    async bringUp(backend) {
      broughtUp.push(backend);
      if (failing.includes(backend)) throw new Error(`${backend} backend failed to initialise`);
    },
    async measure(backend) {
      measured.push(backend);
      const timing = timings[backend];
      if (timing instanceof Error) throw timing;
      if (timing === undefined) throw new Error(`no timing scripted for ${backend}`);
      return timing;
    },
    clock: () => (tick += 5),
    today: () => NOW,
  });
  settleSoftwareSkips([...plan.skipped, ...walked.dropped], walked.chosen);
  return {
    chosen: walked.chosen,
    attempts: [...plan.skipped, ...walked.attempts],
    verdicts: [...plan.verdicts, ...walked.verdicts],
    measured,
    broughtUp,
  };
}

describe('automatic choice: a GPU measured slower than wasm is dropped', () => {
  it('drops a slower WebGPU, says why in words, and falls back to wasm', async () => {
    const start = await scriptedStart({
      gpus: found({ webglRenderer: null }),
      timings: { webgpu: { gpuMs: 180, wasmMs: 40 } },
    });
    assert.equal(start.chosen, 'wasm');
    assert.deepEqual(start.measured, ['webgpu']);
    const webgpu = start.attempts.find((a) => a.backend === 'webgpu');
    assert.equal(webgpu?.ok, false);
    assert.equal(
      webgpu?.error,
      'WebGPU measured slower than WebAssembly on this device (probe 180 ms vs 40 ms): using WebAssembly',
    );
    assert.deepEqual(start.verdicts, [
      {
        runtime: 'tfjs',
        backend: 'webgpu',
        gpuMs: 180,
        wasmMs: 40,
        keep: false,
        device: RTX_NAME,
        browser: CHROME_126,
        measuredAt: NOW,
        remembered: false,
      },
    ]);
  });

  it('keeps a faster WebGPU and stops there', async () => {
    const start = await scriptedStart({ timings: { webgpu: { gpuMs: 12, wasmMs: 40 } } });
    assert.equal(start.chosen, 'webgpu');
    assert.deepEqual(start.broughtUp, ['webgpu']);
    assert.deepEqual(
      start.attempts.map((a) => [a.backend, a.ok]),
      [['webgpu', true]],
    );
    assert.equal(start.verdicts[0]?.keep, true);
  });

  it('after a slower WebGPU judges WebGL too, and keeps it when it is faster than wasm', async () => {
    const start = await scriptedStart({
      timings: { webgpu: { gpuMs: 180, wasmMs: 40 }, webgl: { gpuMs: 25, wasmMs: 40 } },
    });
    assert.equal(start.chosen, 'webgl');
    assert.deepEqual(start.measured, ['webgpu', 'webgl']);
    assert.equal(
      start.attempts[0]?.error,
      'WebGPU measured slower than WebAssembly on this device (probe 180 ms vs 40 ms): using WebGL',
    );
    assert.deepEqual(
      start.verdicts.map((v) => [v.backend, v.keep, v.device]),
      [
        ['webgpu', false, RTX_NAME],
        ['webgl', true, ANGLE_RTX],
      ],
    );
  });

  it('lets a near tie go to the GPU, within the margin', async () => {
    const limit = 40 * GPU_KEEP_MARGIN;
    const tie = await scriptedStart({ timings: { webgpu: { gpuMs: limit, wasmMs: 40 } } });
    assert.equal(tie.chosen, 'webgpu');
    const slower = await scriptedStart({
      gpus: found({ webglRenderer: null }),
      timings: { webgpu: { gpuMs: limit + 0.5, wasmMs: 40 } },
    });
    assert.equal(slower.chosen, 'wasm');
    assert.match(slower.attempts[0]?.error ?? '', /\(probe 49 ms vs 40 ms\)/);
  });

  it('keeps the GPU unjudged when wasm could not be timed, and remembers nothing', async () => {
    const start = await scriptedStart({ timings: { webgpu: null } });
    assert.equal(start.chosen, 'webgpu');
    assert.deepEqual(start.verdicts, []);
  });

  it('moves on when the speed probe fails on the GPU', async () => {
    const start = await scriptedStart({
      gpus: found({ webglRenderer: null }),
      timings: { webgpu: new Error('conv2d: out of memory') },
    });
    assert.equal(start.chosen, 'wasm');
    assert.equal(start.attempts[0]?.error, 'speed probe failed: conv2d: out of memory');
    assert.deepEqual(start.verdicts, []);
  });

  it('does not judge a GPU that failed to come up', async () => {
    const start = await scriptedStart({ failing: ['webgpu'], timings: { webgl: { gpuMs: 20, wasmMs: 40 } } });
    assert.equal(start.chosen, 'webgl');
    assert.deepEqual(start.measured, ['webgl']);
    assert.equal(start.attempts[0]?.error, 'webgpu backend failed to initialise');
  });
});

describe('automatic choice on scripted adapters and renderers', () => {
  it('refuses software ones without measuring them', async () => {
    const start = await scriptedStart({
      gpus: found({
        webgpuAdapter: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' },
        webglRenderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)',
      }),
    });
    assert.equal(start.chosen, 'wasm');
    assert.deepEqual(start.measured, []);
    assert.deepEqual(start.broughtUp, ['wasm']);
    assert.deepEqual(
      start.attempts.map((a) => a.error),
      [
        'WebGPU adapter is a software renderer (SwiftShader): using WebAssembly',
        'WebGL renderer is a software renderer (SwiftShader): using WebAssembly',
        undefined,
      ],
    );
  });

  it('judges a hardware WebGPU beside a software WebGL', async () => {
    const start = await scriptedStart({
      gpus: found({ webglRenderer: 'llvmpipe (LLVM 15.0.7, 256 bits)' }),
      timings: { webgpu: { gpuMs: 90, wasmMs: 40 } },
    });
    assert.equal(start.chosen, 'wasm');
    assert.deepEqual(start.measured, ['webgpu']);
  });

  it('names an adapter that tells nothing about itself, so it is still judged', () => {
    const { judging } = automaticGpuChoice(found({ webgpuAdapter: {} }), []);
    assert.equal(judging.devices.webgpu, 'unnamed WebGPU adapter');
  });

  for (const choice of ['webgpu', 'webgl', 'wasm'] as const) {
    it(`keeps a forced ${choice}: nothing measured, no verdict applied`, async () => {
      const start = await scriptedStart({
        choice,
        remembered: [verdict(), verdict({ backend: 'webgl', device: ANGLE_RTX })],
        timings: { webgpu: { gpuMs: 180, wasmMs: 40 } },
      });
      assert.equal(start.chosen, choice);
      assert.deepEqual(start.measured, []);
      assert.deepEqual(start.verdicts, []);
      assert.deepEqual(start.attempts, [{ backend: choice, ok: true, ms: 5 }]);
    });
  }
});

describe('remembered verdicts', () => {
  it('a remembered slower GPU is left out before it is brought up', async () => {
    const start = await scriptedStart({ gpus: found({ webglRenderer: null }), remembered: [verdict()] });
    assert.equal(start.chosen, 'wasm');
    assert.deepEqual(start.broughtUp, ['webgl', 'wasm'], 'WebGPU is not even brought up');
    assert.deepEqual(start.measured, []);
    assert.deepEqual(start.attempts[0], {
      backend: 'webgpu',
      ok: false,
      error:
        'WebGPU measured slower than WebAssembly on this device (probe 180 ms vs 40 ms, remembered from 2025-03-02): using WebAssembly',
      ms: 0,
    });
    assert.deepEqual(start.verdicts, [{ ...verdict(), remembered: true }]);
  });

  it('ORT: a remembered slower WebGPU is left out before the build is chosen, so the CPU-only build loads', () => {
    const { judging } = automaticGpuChoice(found(), [verdict({ runtime: 'ort' })]);
    const plan = planChain('ort', 'auto', ['webgpu', 'wasm'], {}, judging);
    assert.deepEqual(plan.chain, ['wasm']);
    assert.equal(
      ortWasmBuildFor(planOrtChain(plan.chain, { loadedBuild: null, webgpuAvailable: true }).chain),
      'plain',
    );
    const forced = planChain('ort', 'webgpu', ['webgpu', 'wasm'], {}, judging);
    assert.equal(ortWasmBuildFor(forced.chain), 'jsep');
    assert.equal(forced.judging, null);
  });

  it('a remembered faster GPU is used without measuring', async () => {
    const kept = verdict({ gpuMs: 11, keep: true });
    const start = await scriptedStart({ remembered: [kept] });
    assert.equal(start.chosen, 'webgpu');
    assert.deepEqual(start.measured, []);
    assert.deepEqual(start.verdicts, [{ ...kept, remembered: true }]);
  });

  it('expires with a new browser version: measured anew', async () => {
    const start = await scriptedStart({
      gpus: found({ browser: CHROME_127 }),
      remembered: [verdict()],
      timings: { webgpu: { gpuMs: 10, wasmMs: 40 } },
    });
    assert.equal(start.chosen, 'webgpu');
    assert.deepEqual(start.measured, ['webgpu']);
    assert.equal(start.verdicts[0]?.browser, CHROME_127);
    assert.equal(start.verdicts[0]?.remembered, false);
  });

  it('expires with another adapter: measured anew', async () => {
    const start = await scriptedStart({
      gpus: found({ webgpuAdapter: { vendor: 'intel', architecture: 'gen-12lp', description: 'Intel UHD 770' } }),
      remembered: [verdict()],
      timings: { webgpu: { gpuMs: 10, wasmMs: 40 } },
    });
    assert.deepEqual(start.measured, ['webgpu']);
    assert.equal(start.verdicts[0]?.device, 'intel gen-12lp Intel UHD 770');
  });

  it('applies only to its own runtime and backend, and the newest of several wins', () => {
    const judging: SpeedJudging = {
      devices: { webgpu: RTX_NAME, webgl: ANGLE_RTX },
      browser: CHROME_126,
      remembered: [
        verdict({ runtime: 'ort', keep: true }),
        verdict({ measuredAt: MEASURED_AT - 1000, keep: true }),
        verdict(),
        verdict({ measuredAt: MEASURED_AT - 2000, keep: true }),
      ],
    };
    assert.equal(rememberedVerdict(judging, 'tfjs', 'webgpu')?.measuredAt, MEASURED_AT);
    assert.equal(rememberedVerdict(judging, 'ort', 'webgpu')?.keep, true);
    assert.equal(rememberedVerdict(judging, 'tfjs', 'webgl'), null);
    assert.equal(rememberedVerdict(judging, 'tfjs', 'wasm'), null);
    assert.equal(rememberedVerdict(null, 'tfjs', 'webgpu'), null);
  });

  it('ignores malformed verdicts and measures', async () => {
    const malformed: unknown[] = [
      null,
      'slow',
      42,
      { ...verdict(), keep: 'no' },
      { ...verdict(), gpuMs: -1 },
      { ...verdict(), wasmMs: Number.NaN },
      { ...verdict(), runtime: 'onnx' },
      { ...verdict(), backend: 'wasm' },
      { ...verdict(), device: '' },
      { ...verdict(), browser: 7 },
      { ...verdict(), measuredAt: undefined },
    ];
    for (const value of malformed) assert.equal(isBackendVerdict(value), false, JSON.stringify(value));
    const start = await scriptedStart({ remembered: malformed, timings: { webgpu: { gpuMs: 10, wasmMs: 40 } } });
    assert.deepEqual(start.measured, ['webgpu']);
    for (const notAList of [{ 0: verdict() }, 'verdicts', null]) {
      const again = await scriptedStart({ remembered: notAList, timings: { webgpu: { gpuMs: 10, wasmMs: 40 } } });
      assert.deepEqual(again.measured, ['webgpu']);
    }
  });
});

describe('timeProbe', () => {
  /** A probe whose runs take the scripted durations on a fake clock. */
  function scriptedProbe(durations: number[]) {
    let now = 0;
    let runs = 0;
    return {
      run: async () => {
        now += durations[runs++] ?? Number.NaN;
      },
      now: () => now,
      runs: () => runs,
    };
  }

  it('times the median of three runs after an untimed one', async () => {
    const probe = scriptedProbe([900, 30, 50, 40]);
    assert.equal(await timeProbe(probe.run, { now: probe.now }), 40);
    assert.equal(probe.runs(), 4);
  });

  it('stops once the median is on one side of the deciding time', async () => {
    const slow = scriptedProbe([1500, 700, 650, 10]);
    assert.equal(await timeProbe(slow.run, { now: slow.now, decidesAt: 48 }), 675);
    assert.equal(slow.runs(), 3, 'two slow runs decide: the third is not run');
    const split = scriptedProbe([1500, 700, 20, 30]);
    assert.equal(await timeProbe(split.run, { now: split.now, decidesAt: 48 }), 30);
    assert.equal(split.runs(), 4);
  });

  it('drops on the untimed run alone when it is far past what a tie allows, compilation included', async () => {
    const hopeless = scriptedProbe([48 + FIRST_RUN_ALLOWANCE_MS + 1, 10, 10, 10]);
    assert.equal(await timeProbe(hopeless.run, { now: hopeless.now, decidesAt: 48 }), 48 + FIRST_RUN_ALLOWANCE_MS + 1);
    assert.equal(hopeless.runs(), 1);
    const slowCompile = scriptedProbe([48 + FIRST_RUN_ALLOWANCE_MS, 10, 10, 10]);
    assert.equal(await timeProbe(slowCompile.run, { now: slowCompile.now, decidesAt: 48 }), 10);
    const unjudged = scriptedProbe([60000, 10, 10, 10]);
    assert.equal(await timeProbe(unjudged.run, { now: unjudged.now }), 10, 'wasm is timed without a deciding time');
  });

  it('median', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]));
  });
});

describe('browserIdentity', () => {
  it('names the real brands and their versions, leaving out the made-up one', () => {
    const userAgentData = {
      brands: [
        { brand: 'Not)A;Brand', version: '99' },
        { brand: 'Google Chrome', version: '127' },
        { brand: 'Chromium', version: '127' },
      ],
    };
    assert.equal(browserIdentity({ userAgent: 'Mozilla/5.0', userAgentData }), 'Google Chrome 127, Chromium 127');
  });

  it('falls back on the User-Agent string', () => {
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    assert.equal(browserIdentity({ userAgent: firefox }), firefox);
    assert.equal(browserIdentity({ userAgent: firefox, userAgentData: { brands: [] } }), firefox);
  });
});
