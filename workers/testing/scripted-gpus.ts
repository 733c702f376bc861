/**
 * The GPUs and browser the test build's `init` sees (test-protocol.ts GpuScript, the 'script-gpus'
 * request): the real ones, with what a test scripted laid over them. Only the test build uses it
 * (inference-test.worker.ts passes `describe` to createInferenceHandlers).
 */
import { describeGpuEnvironment, type DescribeGpus, type GpuEnvironment } from '../environment.js';
import type { GpuScript } from './test-protocol.js';

export interface ScriptedGpus {
  describe: DescribeGpus;
  /** Sets the script for the next inits; an empty one ends scripting. Answers whether one is in force. */
  script(script: GpuScript): boolean;
}

function applyScript(real: GpuEnvironment, script: GpuScript): GpuEnvironment {
  const scripted: GpuEnvironment = { ...real, report: { ...real.report, webgpu: { ...real.report.webgpu } } };
  if (script.webgpuAdapter && real.webgpuAdapter) {
    const adapter = { ...script.webgpuAdapter, isFallbackAdapter: false };
    scripted.webgpuAdapter = adapter;
    scripted.report.webgpu.adapter = [adapter.vendor, adapter.architecture, adapter.description]
      .filter(Boolean)
      .join(' ');
  }
  if (script.webglRenderer !== undefined && real.webglRenderer) scripted.webglRenderer = script.webglRenderer;
  if (script.browser !== undefined) scripted.browser = script.browser;
  return scripted;
}

export function scriptedGpus(): ScriptedGpus {
  let current: GpuScript | null = null;
  return {
    async describe(options) {
      const real = await describeGpuEnvironment(options);
      return current ? applyScript(real, current) : real;
    },
    script(script) {
      current = Object.keys(script).length ? script : null;
      return current !== null;
    },
  };
}
