import type { EnvironmentReport } from '../src/shared/protocol.js';
import { browserIdentity } from './runtimes/gpu-speed.js';
import type { GpuAdapterDescription } from './runtimes/software-gpu.js';
import { deviceCores } from './runtimes/tfjs-thread-cap.js';

/** The browser's default WebGPU adapter, or null when there is none. */
async function requestWebgpuAdapter(): Promise<GPUAdapter | null> {
  if (!('gpu' in navigator) || !navigator.gpu) return null;
  try {
    return await navigator.gpu.requestAdapter();
  } catch {
    // requestAdapter can throw on blocklisted drivers: that is "no WebGPU", not a failure.
    return null;
  }
}

/** What the adapter says about itself; isFallbackAdapter moved from the adapter to its info. */
function adapterDescription(adapter: GPUAdapter): GpuAdapterDescription {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  return {
    isFallbackAdapter: info.isFallbackAdapter ?? legacy.isFallbackAdapter ?? false,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
  };
}

/**
 * The renderer string of the browser's WebGL (unmasked where the browser allows), or null when the
 * worker has no WebGL. The context is given back at once.
 */
export function webglRenderer(): string | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return null;
    try {
      const debug = gl.getExtension('WEBGL_debug_renderer_info');
      const unmasked = debug ? (gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) as unknown) : null;
      const plain = gl.getParameter(gl.RENDERER) as unknown;
      return [unmasked, plain].filter((s): s is string => typeof s === 'string' && s.length > 0).join(' / ') || null;
    } finally {
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    return null;
  }
}

export interface GpuEnvironment {
  report: EnvironmentReport;
  /** The WebGPU adapter's description, null without an adapter. */
  webgpuAdapter: GpuAdapterDescription | null;
  /** WebGL's renderer string, when asked for (it costs a WebGL context) and there is WebGL. */
  webglRenderer: string | null;
  /** The browser and its version (browserIdentity). */
  browser: string;
}

export interface GpuEnvironmentOptions {
  /** Whether to read WebGL's renderer string: only the automatic choice of TF.js needs it. */
  webgl?: boolean;
}

/** The GPUs and browser the inference worker's runtimes would run on; `describeGpus` in InferenceHandlerOptions. */
export type DescribeGpus = (options: GpuEnvironmentOptions) => Promise<GpuEnvironment>;

export async function describeGpuEnvironment(options: GpuEnvironmentOptions = {}): Promise<GpuEnvironment> {
  const webgpu: EnvironmentReport['webgpu'] = { available: false };
  const adapter = await requestWebgpuAdapter();
  let webgpuAdapter: GpuAdapterDescription | null = null;
  if (adapter) {
    webgpuAdapter = adapterDescription(adapter);
    webgpu.available = true;
    webgpu.adapter =
      [webgpuAdapter.vendor, webgpuAdapter.architecture, webgpuAdapter.description].filter(Boolean).join(' ') ||
      'unknown';
    webgpu.features = [...adapter.features].sort();
  }
  return {
    report: {
      crossOriginIsolated: self.crossOriginIsolated,
      hardwareConcurrency: deviceCores,
      webgpu,
      userAgent: navigator.userAgent,
    },
    webgpuAdapter,
    webglRenderer: options.webgl ? webglRenderer() : null,
    browser: browserIdentity(navigator),
  };
}

export async function describeEnvironment(): Promise<EnvironmentReport> {
  return (await describeGpuEnvironment()).report;
}
