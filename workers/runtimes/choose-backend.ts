import type { AppliedVerdict, BackendAttempt, BackendChoice, RuntimeName } from '../../src/shared/protocol.js';
import { describeError } from '../worker-failure.js';
import {
  adapterName,
  judgedDevice,
  rememberedVerdict,
  slowerGpuReason,
  verdictOf,
  type GpuBackend,
  type ProbeTiming,
  type SpeedJudging,
} from './gpu-speed.js';
import {
  softwareRendererReason,
  softwareSkip,
  withoutSoftwareGpus,
  type GpuAdapterDescription,
  type SoftwareGpuReasons,
} from './software-gpu.js';

/** The GPUs the inference worker found (environment.ts GpuEnvironment). */
export interface GpusFound {
  webgpuAdapter: GpuAdapterDescription | null;
  webglRenderer: string | null;
  browser: string;
}

/**
 * What an automatic choice goes by: the GPUs that run in software (never picked), and the hardware
 * ones, judged on speed, with the verdicts the page remembered (checked where they are used).
 */
export function automaticGpuChoice(
  gpus: GpusFound,
  remembered: unknown,
): { software: SoftwareGpuReasons; judging: SpeedJudging } {
  const software = {
    webgpu: softwareRendererReason(gpus.webgpuAdapter),
    webgl: softwareRendererReason(gpus.webglRenderer),
  };
  const devices: SpeedJudging['devices'] = {};
  if (gpus.webgpuAdapter && !software.webgpu) devices.webgpu = adapterName(gpus.webgpuAdapter);
  if (gpus.webglRenderer && !software.webgl) devices.webgl = gpus.webglRenderer;
  return {
    software,
    judging: { devices, browser: gpus.browser, remembered: Array.isArray(remembered) ? remembered : [] },
  };
}

/**
 * A runtime's chain without the GPU backends a remembered verdict found slower than wasm here: they are
 * not even brought up (ORT then loads its CPU-only build), and are reported like failed attempts.
 */
export function withoutRememberedSlowGpus<B extends string>(
  runtime: RuntimeName,
  chain: readonly B[],
  judging: SpeedJudging | null | undefined,
): { chain: B[]; skipped: BackendAttempt[]; verdicts: AppliedVerdict[] } {
  const skipped: BackendAttempt[] = [];
  const verdicts: AppliedVerdict[] = [];
  const kept = chain.filter((backend) => {
    const verdict = rememberedVerdict(judging, runtime, backend);
    if (!verdict || verdict.keep) return true;
    verdicts.push({ ...verdict, remembered: true });
    skipped.push(softwareSkip(backend, slowerGpuReason(verdict, true)));
    return false;
  });
  return { chain: kept, skipped, verdicts };
}

/** Why WebGPU is not tried when the browser offers no adapter; the same words for both runtimes. */
export const NO_WEBGPU_ADAPTER = 'this browser offers no WebGPU adapter';

/**
 * `chain` without WebGPU when the browser offers no adapter (`available` false; undefined: not known,
 * so WebGPU is tried), the skip reported like a failed attempt so the status says why.
 */
export function withoutUnavailableWebgpu<B extends string>(
  chain: readonly B[],
  available: boolean | undefined,
): { chain: B[]; skipped: BackendAttempt[] } {
  if (available !== false || !chain.includes('webgpu' as B)) return { chain: [...chain], skipped: [] };
  return {
    chain: chain.filter((backend) => backend !== 'webgpu'),
    skipped: [{ backend: 'webgpu', ok: false, error: NO_WEBGPU_ADAPTER, ms: 0 }],
  };
}

export interface ChainPlan<B extends string> {
  /** The backends to bring up, in order. */
  chain: B[];
  /** Those left out before trying, reported like failed attempts (settleSoftwareSkips completes them). */
  skipped: BackendAttempt[];
  /** The remembered verdicts that left a GPU out. */
  verdicts: AppliedVerdict[];
  /** What walkBackendChain judges GPU backends by: null unless the choice is automatic. */
  judging: SpeedJudging | null;
}

/**
 * A runtime's chain as the user's choice allows it. The automatic choice leaves out GPUs that run in
 * software and those remembered slower than wasm here, and judges the others on speed; a forced
 * backend is tried as it is, whatever was measured before.
 */
export function planChain<B extends string>(
  runtime: RuntimeName,
  choice: BackendChoice,
  wanted: readonly B[],
  software: SoftwareGpuReasons = {},
  judging: SpeedJudging | null | undefined = null,
): ChainPlan<B> {
  if (choice !== 'auto') return { chain: [...wanted], skipped: [], verdicts: [], judging: null };
  const withoutSoftware = withoutSoftwareGpus(choice, wanted, software);
  const withoutSlow = withoutRememberedSlowGpus(runtime, withoutSoftware.chain, judging);
  return {
    chain: withoutSlow.chain,
    skipped: [...withoutSoftware.skipped, ...withoutSlow.skipped],
    verdicts: withoutSlow.verdicts,
    judging: judging ?? null,
  };
}

export interface BackendWalk<B extends string> {
  runtime: RuntimeName;
  chain: readonly B[];
  /** Brings the backend up and proves it with a probe computation; throws when it does not work. */
  bringUp(backend: B): Promise<void>;
  onAttempt(backend: B): void;
  /** Given for the automatic choice only: the hardware GPU backends that come up are judged on speed. */
  judging?: SpeedJudging | null | undefined;
  /**
   * Times a GPU backend that just came up against wasm (the speed probe), leaving that GPU backend
   * current. Null when wasm could not be timed: the GPU is then kept unjudged. Throws when the GPU fails.
   */
  measure(backend: GpuBackend): Promise<ProbeTiming | null>;
  /** For the attempts' durations; default performance.now. */
  clock?: () => number;
  /** For the verdicts' dates; default Date.now. */
  today?: () => number;
}

export interface WalkResult<B extends string> {
  chosen: B | null;
  attempts: BackendAttempt[];
  verdicts: AppliedVerdict[];
  /** The attempts of GPU backends dropped for speed, whose reasons still lack what runs instead. */
  dropped: BackendAttempt[];
}

/** What judging a GPU backend that came up found: its verdict, and why it is left out, if it is. */
interface Judgement {
  verdict?: AppliedVerdict;
  /** Slower than wasm: the reason, to be completed with what runs instead. */
  slower?: string;
  /** The speed probe failed on the GPU. */
  failed?: string;
}

async function judgeGpu<B extends string>(
  walk: BackendWalk<B>,
  gpu: GpuBackend,
  judging: SpeedJudging,
  today: () => number,
): Promise<Judgement> {
  const remembered = rememberedVerdict(judging, walk.runtime, gpu);
  let verdict: AppliedVerdict;
  if (remembered) {
    verdict = { ...remembered, remembered: true };
  } else {
    let timing: ProbeTiming | null;
    try {
      timing = await walk.measure(gpu);
    } catch (error) {
      return { failed: `speed probe failed: ${describeError(error)}` };
    }
    if (!timing) return {};
    verdict = { ...verdictOf(walk.runtime, gpu, timing, judging, today()), remembered: false };
  }
  return verdict.keep ? { verdict } : { verdict, slower: slowerGpuReason(verdict, verdict.remembered) };
}

/**
 * Walks a fallback chain: the first backend that comes up is chosen, except that on the automatic
 * choice a hardware GPU backend must also not be slower than wasm, by a verdict remembered for this GPU
 * and browser version or else by timing it now.
 */
export async function walkBackendChain<B extends string>(walk: BackendWalk<B>): Promise<WalkResult<B>> {
  const { judging, clock = () => performance.now(), today = () => Date.now() } = walk;
  const attempts: BackendAttempt[] = [];
  const verdicts: AppliedVerdict[] = [];
  const dropped: BackendAttempt[] = [];
  for (const backend of walk.chain) {
    walk.onAttempt(backend);
    const started = clock();
    const fail = (error: string) => {
      const attempt = { backend, ok: false, error, ms: clock() - started };
      attempts.push(attempt);
      return attempt;
    };
    try {
      await walk.bringUp(backend);
    } catch (error) {
      fail(describeError(error));
      continue;
    }
    if (judging && judgedDevice(judging, backend)) {
      const { verdict, slower, failed } = await judgeGpu(walk, backend as GpuBackend, judging, today);
      if (verdict) verdicts.push(verdict);
      if (failed) {
        fail(failed);
        continue;
      }
      if (slower) {
        dropped.push(fail(slower));
        continue;
      }
    }
    attempts.push({ backend, ok: true, ms: clock() - started });
    return { chosen: backend, attempts, verdicts, dropped };
  }
  return { chosen: null, attempts, verdicts, dropped };
}
