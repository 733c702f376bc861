import { arch, availableParallelism, cpus, loadavg, platform } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { NodeEnvironment } from '../shared/bench/bench-types.js';

export function describeNodeEnvironment(): NodeEnvironment {
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cpuCount: availableParallelism(),
    onnxruntimeNode: ort.env.versions.node ?? 'unknown',
    loadAverage: loadavg()[0]!,
  };
}
