import type { BackendAttempt, OrtBackend } from '../../src/shared/protocol.js';
import { withoutUnavailableWebgpu } from './choose-backend.js';

/**
 * Which of ONNX Runtime Web's WebAssembly builds the worker loads. The JSEP build carries the WebGPU
 * execution provider and, for it, Asyncify (functions that may reach an async import are rewritten
 * to unwind and resume): 28 MB of wasm against 14 MB for the plain build, which runs only on CPU.
 * When WebGPU is out of the question the plain build is loaded. Why it matters: V8 compiles a
 * module with its baseline compiler first and re-compiles hot functions with TurboFan in the
 * background, and on a 2-core tablet the JSEP build kept that going for up to half a minute after
 * "Model ready", slowing the first gradings of a visit to up to 3.6 s for both variants. With the
 * plain build, visit after visit (`npm run measure:visits`, 20 visits) every grading of both variants
 * took 0.99–1.30 s, the first one included, and the models were ready in 11–20 s instead of 15–27 s.
 * Both builds are precached: a worker restarted on wasm after a lost GPU device needs the plain
 * one offline too.
 */
export type OrtWasmBuild = 'jsep' | 'plain';

export interface OrtWasmFiles {
  mjs: string;
  wasm: string;
}

export const ORT_WASM_FILES: Readonly<Record<OrtWasmBuild, OrtWasmFiles>> = {
  jsep: { mjs: 'ort-wasm-simd-threaded.jsep.mjs', wasm: 'ort-wasm-simd-threaded.jsep.wasm' },
  plain: { mjs: 'ort-wasm-simd-threaded.mjs', wasm: 'ort-wasm-simd-threaded.wasm' },
};

/** The build a chain of backends needs: WebGPU only runs on the JSEP build. */
export function ortWasmBuildFor(chain: readonly OrtBackend[]): OrtWasmBuild {
  return chain.includes('webgpu') ? 'jsep' : 'plain';
}

/** The URLs of a build's files under `prefix` (the folder they are served from, ending in '/'). */
export function ortWasmUrls(prefix: string, build: OrtWasmBuild): OrtWasmFiles {
  const files = ORT_WASM_FILES[build];
  return { mjs: `${prefix}${files.mjs}`, wasm: `${prefix}${files.wasm}` };
}

export interface ChainConditions {
  /** False when the browser offers no WebGPU adapter (undefined: not known, so WebGPU is tried). */
  webgpuAvailable?: boolean | undefined;
  /** The build this worker's ORT already loaded, if any: ORT cannot load another one. */
  loadedBuild: OrtWasmBuild | null;
}

/**
 * The backends worth trying here, and WebGPU attempts ruled out before trying: reported like failed
 * ones, so the status panel says why WebGPU did not run. (What the automatic choice leaves out, a
 * software or a slower GPU, is left out before: choose-backend.ts planChain.)
 */
export function planOrtChain(
  wanted: readonly OrtBackend[],
  conditions: ChainConditions,
): { chain: OrtBackend[]; skipped: BackendAttempt[] } {
  const available = withoutUnavailableWebgpu(wanted, conditions.webgpuAvailable);
  let chain = available.chain;
  const skipped: BackendAttempt[] = available.skipped;
  const skipWebgpu = (reason: string) => {
    if (!chain.includes('webgpu')) return;
    chain = chain.filter((backend) => backend !== 'webgpu');
    skipped.push({ backend: 'webgpu', ok: false, error: reason, ms: 0 });
  };
  if (conditions.loadedBuild === 'plain')
    skipWebgpu("this worker already loaded ONNX Runtime's CPU-only build; WebGPU needs a new worker");
  return { chain, skipped };
}
