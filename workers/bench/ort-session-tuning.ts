import * as ort from 'onnxruntime-web';
import type { OrtSessionTuning } from '../../src/shared/bench/bench-types.js';

/**
 * Builds a runner with extra ONNX Runtime session options. The app's runner
 * (workers/models/ort-runner.ts) creates its session with fixed options and takes none from its
 * caller; until it does, the benchmark merges its options into that one InferenceSession.create call
 * (createOrtRunner calls create(bytes, options)), and restores the original right after, so that the
 * benchmark still measures the app's own runner.
 */
export async function withOrtSessionOptions<T>(tuning: OrtSessionTuning, build: () => Promise<T>): Promise<T> {
  if (Object.keys(tuning).length === 0) return build();
  const factory = ort.InferenceSession;
  const original = factory.create;
  factory.create = ((model: Uint8Array, options?: ort.InferenceSession.SessionOptions) =>
    original.call(factory, model, { ...options, ...tuning })) as typeof original;
  try {
    return await build();
  } finally {
    factory.create = original;
  }
}
