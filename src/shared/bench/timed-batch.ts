import type { RgbImage } from '../pixels.js';
import { imagesPerSecond, isFlat, latencyStats } from './bench-stats.js';
import type { BatchResult, ConfigResult, MemorySnapshot } from './bench-types.js';
import { runInputIndices } from './synthetic-fundus.js';

/** What a benchmark needs of a model: the app's ModelRunner (workers/models) and the native runner both fit. */
export interface Predictor {
  /** Class probabilities per image. */
  predict(images: readonly RgbImage[]): Promise<Float32Array[]>;
}

export interface BatchPlan {
  batch: number;
  warmup: number;
  runs: number;
}

export interface BatchContext {
  runner: Predictor;
  /** performance.now in a worker and in Node (this module sees neither). */
  now(): number;
  inputs: readonly RgbImage[];
  /** Filled with the first output seen for each fixed input (the agreement check's data). */
  outputs: ConfigResult['outputs'];
  snapshot(): Promise<MemorySnapshot>;
  progress(text: string): void;
}

/**
 * One batch size: the first inference timed apart (compilation, allocation), then the warm-ups, then
 * the timed runs between two memory snapshots (the leak check). A run's time is the runner's predict():
 * input tensor, inference and read-back, what the app pays per screening.
 */
export async function runTimedBatch({ batch, warmup, runs }: BatchPlan, context: BatchContext): Promise<BatchResult> {
  let run = 0;
  const once = async (): Promise<number> => {
    const indices = runInputIndices(run++, batch);
    const started = context.now();
    const probabilities = await context.runner.predict(indices.map((i) => context.inputs[i]!));
    const ms = context.now() - started;
    indices.forEach((input, j) => (context.outputs[input] ??= Array.from(probabilities[j]!)));
    return ms;
  };

  context.progress(`batch ${batch}: first inference`);
  const firstMs = await once();
  for (let i = 0; i < warmup; i++) {
    context.progress(`batch ${batch}: warm-up ${i + 1}/${warmup}`);
    await once();
  }
  const before = await context.snapshot();
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    context.progress(`batch ${batch}: run ${i + 1}/${runs}`);
    samplesMs.push(await once());
  }
  const after = await context.snapshot();
  const latencyMs = latencyStats(samplesMs);
  return {
    batch,
    firstMs,
    warmup,
    samplesMs,
    latencyMs,
    imagesPerSecond: imagesPerSecond(batch, latencyMs),
    leak: { runs, before, after, flat: runs > 0 ? isFlat(before, after) : null },
  };
}
