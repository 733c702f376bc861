import { cpus, platform, arch } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { runtimeInfo, type RuntimeInfo } from './runtimes.js';

/** What the numbers were measured with: timings and float rounding depend on all of it. */
export interface Environment extends RuntimeInfo {
  node: string;
  platform: string;
  arch: string;
  cpu: string;
  cpuCount: number;
  tfjs: string;
  tfjsBackendWasm: string;
  onnxruntimeNode: string;
}

export function environment(ortThreads: number): Environment {
  const cores = cpus();
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cpuCount: cores.length,
    tfjs: tf.version_core,
    tfjsBackendWasm: version_wasm,
    onnxruntimeNode: ort.env.versions.node ?? 'unknown',
    ...runtimeInfo(ortThreads),
  };
}
