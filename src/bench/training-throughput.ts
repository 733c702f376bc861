/**
 * Training throughput of the pipeline's own training step (src/pipeline/train/bench-training-step.ts:
 * ResNet50 forward, backward and gradient sums, the project's fast wasm gradient kernels on wasm), run
 * in a child process per backend so that each measures from a fresh wasm heap.
 */
import { spawn } from 'node:child_process';
import type { TrainingResult } from '../shared/bench/bench-types.js';
import { REPO_ROOT } from './repo-paths.js';

export interface TrainingWorkload {
  resolution: number;
  microBatch: number;
}

/**
 * Small enough for the cpu backend (~100× slower than wasm: ~40 s a pass here) to finish in minutes,
 * and the same for every backend, so that the images per second compare.
 */
export const TRAINING_WORKLOAD: TrainingWorkload = { resolution: 32, microBatch: 2 };

const SCRIPT = 'src/pipeline/train/bench-training-step.ts';

interface StepOutput {
  warmUpSeconds: number;
  secondsPerPass: number[];
  imagesPerSecond: number;
}

function runScript(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            signal
              ? `stopped after ${timeoutMs / 1000} s`
              : `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
          ),
        );
    });
  });
}

export async function measureTraining(
  backend: TrainingResult['backend'],
  workload: TrainingWorkload,
  passes: number,
  timeoutMs: number,
): Promise<TrainingResult> {
  const base = { backend, resolution: workload.resolution, microBatch: workload.microBatch, passes };
  const args = [
    '--backend',
    backend,
    '--resolution',
    String(workload.resolution),
    '--micro-batch',
    String(workload.microBatch),
    '--passes',
    String(passes),
  ];
  try {
    const lines = (await runScript(args, timeoutMs)).trim().split('\n');
    const output = JSON.parse(lines[lines.length - 1]!) as StepOutput;
    return {
      ...base,
      status: 'ok',
      warmUpSeconds: output.warmUpSeconds,
      secondsPerPass: output.secondsPerPass,
      imagesPerSecond: output.imagesPerSecond,
    };
  } catch (error) {
    return {
      ...base,
      status: 'failed',
      error: error instanceof Error ? error.message : String(error),
      warmUpSeconds: null,
      secondsPerPass: [],
      imagesPerSecond: null,
    };
  }
}
