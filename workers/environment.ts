import type { EnvironmentReport } from '../src/shared/protocol.js';
import { deviceCores } from './runtimes/tfjs-thread-cap.js';

export async function describeEnvironment(): Promise<EnvironmentReport> {
  const webgpu: EnvironmentReport['webgpu'] = { available: false };
  if ('gpu' in navigator && navigator.gpu) {
    try {
      const adapter = await navigator.gpu.requestAdapter();
      if (adapter) {
        const info = adapter.info;
        webgpu.available = true;
        webgpu.adapter = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown';
        webgpu.features = [...adapter.features].sort();
      }
    } catch {
      // requestAdapter can throw on blocklisted drivers: that is "no WebGPU", not a failure.
    }
  }
  return {
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: deviceCores,
    webgpu,
    userAgent: navigator.userAgent,
  };
}
