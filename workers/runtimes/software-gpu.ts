import type { BackendAttempt, BackendChoice } from '../../src/shared/protocol.js';

/**
 * Software GPUs: adapters and renderers that run "GPU" work on the CPU. Chromium offers WebGL on
 * SwiftShader without any flag, and WebGPU on SwiftShader with --enable-unsafe-webgpu
 * --enable-unsafe-swiftshader; for ResNet50 both were 20–70× slower than wasm. Automatic backend
 * choice therefore never picks them (a backend forced in settings is still tried).
 */

/** What a WebGPU adapter says about itself (GPUAdapterInfo, plus the adapter's own isFallbackAdapter). */
export interface GpuAdapterDescription {
  isFallbackAdapter?: boolean | undefined;
  vendor?: string | undefined;
  architecture?: string | undefined;
  device?: string | undefined;
  description?: string | undefined;
}

/** Known software renderers, by the names they give themselves; the first match names the reason. */
const SOFTWARE_RENDERERS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'SwiftShader', pattern: /swift\s*shader/i },
  { name: 'llvmpipe', pattern: /llvmpipe/i },
  { name: 'lavapipe', pattern: /lavapipe/i },
  { name: 'softpipe', pattern: /softpipe/i },
  { name: 'Microsoft Basic Render Driver', pattern: /microsoft\s+basic\s+render(er)?\s+driver/i },
];

/** The software renderer a string names, or null. */
export function softwareRendererName(text: string | null | undefined): string | null {
  if (!text) return null;
  return SOFTWARE_RENDERERS.find(({ pattern }) => pattern.test(text))?.name ?? null;
}

/**
 * Why a WebGPU adapter (its description) or a WebGL renderer (its renderer string) must not be
 * chosen automatically, or null for a hardware GPU (and for nothing known).
 */
export function softwareRendererReason(info: GpuAdapterDescription | string | null | undefined): string | null {
  if (info == null) return null;
  if (typeof info === 'string') {
    const name = softwareRendererName(info);
    return name ? `WebGL renderer is a software renderer (${name})` : null;
  }
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const name = softwareRendererName(text);
  if (name) return `WebGPU adapter is a software renderer (${name})`;
  if (info.isFallbackAdapter) return 'WebGPU adapter is a fallback adapter (software renderer)';
  return null;
}

/** Software reasons found for the GPU backends, applied only when a runtime's choice is automatic. */
export interface SoftwareGpuReasons {
  webgpu?: string | null | undefined;
  webgl?: string | null | undefined;
}

const BACKEND_NAMES: Readonly<Record<string, string>> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'the CPU backend',
};

/** A backend left out of an automatic chain for running in software, reported like a failed attempt. */
export function softwareSkip(backend: string, reason: string): BackendAttempt {
  return { backend, ok: false, error: reason, ms: 0 };
}

/**
 * The backends an automatic choice tries: `wanted` without WebGPU or WebGL where they run in
 * software, and those left out, reported like failed attempts. Any other choice keeps `wanted`.
 */
export function withoutSoftwareGpus<B extends string>(
  choice: BackendChoice,
  wanted: readonly B[],
  software: SoftwareGpuReasons = {},
): { chain: B[]; skipped: BackendAttempt[] } {
  if (choice !== 'auto') return { chain: [...wanted], skipped: [] };
  const skipped: BackendAttempt[] = [];
  const chain = wanted.filter((backend) => {
    const gpu: string = backend;
    const reason = gpu === 'webgpu' || gpu === 'webgl' ? software[gpu] : null;
    if (reason) skipped.push(softwareSkip(backend, reason));
    return !reason;
  });
  return { chain, skipped };
}

/**
 * Completes the skips' reasons with what runs instead, once the chain has settled:
 * 'WebGPU adapter is a software renderer (SwiftShader): using WebAssembly'. The GPUs an automatic
 * choice drops for being slower than wasm (choose-backend.ts) are completed the same way.
 */
export function settleSoftwareSkips(skips: readonly BackendAttempt[], chosen: string | null): void {
  for (const skip of skips) {
    skip.error = chosen
      ? `${skip.error}: using ${BACKEND_NAMES[chosen] ?? chosen}`
      : `${skip.error}: not chosen automatically`;
  }
}
