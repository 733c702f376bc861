import { parseArgs } from 'node:util';
import {
  BenchOptionsError,
  DEFAULT_BENCH_OPTIONS,
  normaliseBenchOptions,
  parseThreadSetting,
} from '../shared/bench/bench-options.js';
import type { BenchOptions, BenchRuntime, BrowserBackend, TfjsFlags } from '../shared/bench/bench-types.js';
import type { WeightForm } from '../shared/model-manifest.js';

export const USAGE = `Usage: npm run bench -- [options]
       npm run bench -- --compare A.json B.json

Benchmarks TensorFlow.js and ONNX Runtime Web on every backend that comes up, in headless Chromium
(the bench page, bench.html, on the built app and server), next to native onnxruntime-node, plus the
pipeline's training throughput. Prints a table; writes JSON and CSV.

  --runtime LIST       tfjs, ort, ort-node (or native)         (default: all three)
  --backend LIST       webgpu, webgl, wasm                     (default: all)
  --threads LIST       wasm threads: numbers, all, auto        (default: 1,all)
  --runs N             timed runs per batch size               (default: ${DEFAULT_BENCH_OPTIONS.runs})
  --warmup N           untimed runs after the first inference  (default: ${DEFAULT_BENCH_OPTIONS.warmup})
  --batch LIST         batch sizes                             (default: 1,4)
  --model ID           manifest model id                       (default: the manifest's default)
  --weights LIST       fp32, fp16                              (default: both)
  --out DIR            where bench-<time>.json and .csv go     (default: build/bench)
  --model-dir DIR      serve this dist/models-style folder instead of dist/models
                       (e.g. build/bench-models/models from src/bench/make-bench-model.ts)
  --quick              tiny model, 3 runs, 1 warm-up, wasm only, short training check (CI)
  --ort-option K=V     ONNX Runtime session option, repeatable: graphOptimizationLevel,
                       executionMode, enableMemPattern, enableCpuMemArena, preferredOutputLocation
  --tfjs-flag K=V      TF.js flag set before the model is built, repeatable (e.g. WEBGL_PACK=false)
  --timeout S          stop a configuration after S seconds    (default: ${DEFAULT_BENCH_OPTIONS.timeoutSeconds})
  --no-memory          skip measureUserAgentSpecificMemory
  --no-training        skip the training throughput
  --no-build           use dist/ as it is, even if stale
  --compare A B        ratios B/A of two JSON reports, per configuration and batch
  -h, --help           this text

Exit status: 0 done (configurations that are unavailable here are reported, not errors),
1 a configuration failed or timed out, or an error, 2 bad arguments.`;

export type TrainingPlan = 'full' | 'quick' | 'none';

export interface RunCommand {
  kind: 'run';
  options: BenchOptions;
  out: string;
  modelDir: string | null;
  build: boolean;
  training: TrainingPlan;
}

export type CliCommand = RunCommand | { kind: 'compare'; a: string; b: string } | { kind: 'help' };

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function keyValue(text: string, what: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new BenchOptionsError(`${what}: expected KEY=VALUE, got "${text}"`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function parseScalar(text: string): boolean | number | string {
  if (text === 'true' || text === 'false') return text === 'true';
  return text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

function integer(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new BenchOptionsError(`${what} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/** Throws BenchOptionsError (or the parseArgs error) on misuse. */
export function parseCli(argv: readonly string[]): CliCommand {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      runtime: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      batch: { type: 'string' },
      model: { type: 'string' },
      weights: { type: 'string' },
      out: { type: 'string', default: 'build/bench' },
      'model-dir': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'ort-option': { type: 'string', multiple: true, default: [] },
      'tfjs-flag': { type: 'string', multiple: true, default: [] },
      timeout: { type: 'string' },
      'no-memory': { type: 'boolean', default: false },
      'no-training': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      compare: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { kind: 'help' };
  if (values.compare) {
    if (positionals.length !== 2)
      throw new BenchOptionsError('--compare takes two JSON reports: --compare A.json B.json');
    return { kind: 'compare', a: positionals[0]!, b: positionals[1]! };
  }
  if (positionals.length > 0) throw new BenchOptionsError(`unexpected argument "${positionals[0]}"`);

  const quick = values.quick;
  const ortSessionOptions: Record<string, unknown> = {};
  for (const item of values['ort-option']) {
    const [key, value] = keyValue(item, '--ort-option');
    ortSessionOptions[key] = parseScalar(value);
  }
  const tfjsFlags: TfjsFlags = {};
  for (const item of values['tfjs-flag']) {
    const [key, value] = keyValue(item, '--tfjs-flag');
    tfjsFlags[key] = parseScalar(value);
  }
  const partial: Partial<BenchOptions> = {
    // --quick: the software GPU makes even the tiny model's first webgpu/webgl inference take seconds of
    // shader compilation, so CI measures wasm; the full run measures every backend.
    ...(quick ? { model: 'tiny', runs: 3, warmup: 1, backends: ['wasm'] } : {}),
    ...(values.runtime
      ? { runtimes: list(values.runtime).map((r) => (r === 'native' ? 'ort-node' : r)) as BenchRuntime[] }
      : {}),
    ...(values.backend ? { backends: list(values.backend) as BrowserBackend[] } : {}),
    ...(values.threads ? { threads: list(values.threads).map(parseThreadSetting) } : {}),
    ...(values.batch ? { batches: list(values.batch).map(Number) } : {}),
    ...(values.weights ? { weights: list(values.weights) as WeightForm[] } : {}),
    ...(values.model ? { model: values.model } : {}),
    runs: integer(values.runs, '--runs') ?? (quick ? 3 : DEFAULT_BENCH_OPTIONS.runs),
    warmup: integer(values.warmup, '--warmup') ?? (quick ? 1 : DEFAULT_BENCH_OPTIONS.warmup),
    timeoutSeconds: integer(values.timeout, '--timeout') ?? DEFAULT_BENCH_OPTIONS.timeoutSeconds,
    tfjsFlags,
    ortSessionOptions,
    measureMemory: !values['no-memory'],
  };
  return {
    kind: 'run',
    options: normaliseBenchOptions(partial),
    out: values.out,
    modelDir: values['model-dir'] ?? null,
    build: !values['no-build'],
    training: values['no-training'] ? 'none' : quick ? 'quick' : 'full',
  };
}
