/**
 * Brings one runtime up on exactly the backend a job names (the app's init code, whose fallback
 * chain would otherwise land on another backend silently) and builds the app's runner on it.
 */
import * as tf from '@tensorflow/tfjs';
import type { BenchJob, BrowserBackend } from '../../src/shared/bench/bench-types.js';
import type { OrtBackend, RuntimeReport } from '../../src/shared/protocol.js';
import type { ModelFiles } from '../models/model-files.js';
import type { ModelRunner } from '../models/model-runner.js';
import { createOrtRunner } from '../models/ort-runner.js';
import { createTfjsRunner } from '../models/tfjs-runner.js';
import { initOrt } from '../runtimes/ort-runtime.js';
import { initTfjs } from '../runtimes/tfjs-runtime.js';
import { withOrtSessionOptions } from './ort-session-tuning.js';

/** The backend does not work in this browser: a finding about the device, not a failure of the run. */
export class BackendUnavailable extends Error {
  override name = 'BackendUnavailable';
}

export interface StartedRuntime {
  version: string;
  /** wasm threads really in use; null on GPU backends. */
  threads: number | null;
}

function wasmThreads(job: BenchJob): number | undefined {
  return typeof job.threads === 'number' ? job.threads : undefined;
}

function requireBackend(report: RuntimeReport, wanted: string): void {
  if (report.backend === wanted) return;
  const attempt = report.attempts.find((a) => a.backend === wanted);
  throw new BackendUnavailable(
    `${report.runtime} ${wanted} did not come up: ${attempt?.error ?? `fell back to ${report.backend ?? 'nothing'}`}`,
  );
}

export async function startRuntime(job: BenchJob): Promise<StartedRuntime> {
  const backend = job.backend as BrowserBackend;
  const ignoreProgress = () => undefined;
  if (job.runtime === 'tfjs') {
    // Before the backend starts: flags are read once and cached, and derived ones (WEBGL_PACK_*
    // from WEBGL_PACK) take their value from others at first read. All backends register theirs at import.
    for (const [flag, value] of Object.entries(job.tfjsFlags)) tf.env().set(flag, value);
    const report = await initTfjs(
      { choice: backend, wasmPath: job.tfjsWasmPath, wasmThreads: wasmThreads(job) },
      ignoreProgress,
    );
    requireBackend(report, backend);
    // initTfjs lifts tfjs-wasm's half-the-cores cap for an explicit thread count and reports the count.
    return { version: report.version, threads: report.wasmThreads ?? null };
  }
  const report = await initOrt(
    { choice: backend, wasmPath: job.ortWasmPath, wasmThreads: wasmThreads(job) },
    ignoreProgress,
  );
  requireBackend(report, backend);
  // ORT resolves numThreads 0 ("auto") to its own default when it initialises; the report carries it.
  return { version: report.version, threads: report.wasmThreads ?? null };
}

export function createRunner(job: BenchJob, files: ModelFiles): Promise<ModelRunner> {
  if (job.runtime === 'tfjs') return createTfjsRunner(job.entry, files);
  return withOrtSessionOptions(job.ortSessionOptions, () =>
    createOrtRunner(job.entry, files, job.backend as OrtBackend),
  );
}
