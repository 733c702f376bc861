import type { BenchJob, ConfigResult, MemorySnapshot } from '../../src/shared/bench/bench-types.js';
import { emptyConfigResult } from '../../src/shared/bench/config-result.js';
import { FIXED_INPUT_COUNT, syntheticFundus } from '../../src/shared/bench/synthetic-fundus.js';
import { runTimedBatch } from '../../src/shared/bench/timed-batch.js';
import { entryBytes, fetchModelFiles } from '../models/model-files.js';
import type { ModelRunner } from '../models/model-runner.js';
import { describeError } from '../worker-failure.js';
import { runtimeMemory } from './runtime-memory.js';
import { BackendUnavailable, createRunner, startRuntime } from './runtime-setup.js';

export interface JobIo {
  progress(text: string): void;
  /** The page's measureUserAgentSpecificMemory total, or null where it cannot measure. */
  measureMemory(): Promise<number | null>;
}

/** Measures one configuration; never throws: what went wrong is in the result's status and error. */
export async function runBenchJob(job: BenchJob, io: JobIo): Promise<ConfigResult> {
  const result = emptyConfigResult(job, `${job.entry.id}/${job.entry.version}`, job);
  const snapshot = async (): Promise<MemorySnapshot> => ({
    ...runtimeMemory(job.runtime),
    uaBytes: job.measureMemory ? await io.measureMemory() : null,
  });
  let runner: ModelRunner | null = null;
  try {
    io.progress(`starting ${job.runtime} on ${job.backend}`);
    const runtime = await startRuntime(job);
    result.runtimeVersion = runtime.version;
    result.actualThreads = runtime.threads;

    io.progress('fetching and verifying the model');
    let started = performance.now();
    const files = await fetchModelFiles(job.entry, job.modelsUrl);
    result.fetchMs = performance.now() - started;
    result.fetchBytes = entryBytes(job.entry);

    io.progress('building the model');
    result.memory.beforeLoad = await snapshot();
    started = performance.now();
    runner = await createRunner(job, files);
    result.initMs = performance.now() - started;
    result.memory.afterLoad = await snapshot();

    const inputs = Array.from({ length: FIXED_INPUT_COUNT }, (_, i) => syntheticFundus(i, job.entry.input.size));
    for (const batch of job.batches) {
      const context = {
        runner,
        now: () => performance.now(),
        inputs,
        outputs: result.outputs,
        snapshot,
        progress: io.progress,
      };
      result.batches.push(await runTimedBatch({ batch, warmup: job.warmup, runs: job.runs }, context));
    }
    result.memory.afterRuns = await snapshot();
    await runner.dispose();
    runner = null;
    result.memory.afterDispose = await snapshot();
    result.status = 'ok';
  } catch (error) {
    result.status = error instanceof BackendUnavailable ? 'unavailable' : 'failed';
    result.error = describeError(error);
    await runner?.dispose().catch(() => undefined);
  }
  return result;
}
