/**
 * Runs a benchmark plan in the page: one fresh bench worker per configuration (a runtime's wasm thread
 * count is fixed once it has initialised), one at a time (they would compete for the same cores),
 * each stopped after the time limit. Answers the workers' memory requests, then compares every
 * configuration's outputs with the wasm fp32 reference.
 */
import { applyAgreement } from '../../shared/bench/bench-stats.js';
import { chooseModelId, planBrowserConfigs } from '../../shared/bench/bench-plan.js';
import type {
  BenchConfig,
  BenchJob,
  BenchOptions,
  BenchReport,
  BrowserEnvironment,
  ConfigResult,
} from '../../shared/bench/bench-types.js';
import { BENCH_REPORT_VERSION } from '../../shared/bench/bench-types.js';
import type { BenchWorkerToPage, PageToBenchWorker } from '../../shared/bench/bench-worker-protocol.js';
import { emptyConfigResult } from '../../shared/bench/config-result.js';
import { FIXED_INPUT_COUNT } from '../../shared/bench/synthetic-fundus.js';
import type { ModelManifestEntry } from '../../shared/model-manifest.js';
import { findModelEntry } from '../../shared/model-manifest.js';
import { fetchManifest } from '../model-catalog.js';
import { describeBrowserEnvironment } from './browser-environment.js';
import { MemoryProbe } from './page-memory.js';

export interface BenchSettings {
  workerUrl: string;
  /** Folder of manifest.json, ending in '/'. */
  modelsUrl: string;
  tfjsWasmPath: string;
  ortWasmPath: string;
}

export interface BenchHooks {
  progress(key: string, text: string): void;
  result(result: ConfigResult): void;
}

/**
 * Runtimes running on 2+ wasm threads can leave measureUserAgentSpecificMemory unanswered (measured in
 * Chromium 156: ORT every time, TF.js now and then), and after one unanswered measurement no later one
 * in the page is answered. Those configurations are not measured, and run last. ORT's wasm threads also
 * serve its WebGPU EP; 'auto' and GPU backends get ORT's default, min(4, ceil(cores / 2)), and tfjs-wasm's,
 * about half the cores.
 */
function memoryUnmeasurable(config: BenchConfig, environment: BrowserEnvironment): boolean {
  if (!environment.crossOriginIsolated) return false;
  if (config.runtime === 'tfjs' && config.backend !== 'wasm') return false;
  const threads =
    typeof config.threads === 'number' ? config.threads : Math.min(4, Math.ceil(environment.hardwareConcurrency / 2));
  return threads > 1;
}

const UNMEASURABLE_NOTE = 'memory not measured (2+ wasm threads can block measureUserAgentSpecificMemory)';

/** A reference job only provides outputs: no warm-up, one timed run per remaining fixed input. */
function jobFor(
  config: BenchConfig,
  entry: ModelManifestEntry,
  options: BenchOptions,
  settings: BenchSettings,
  measureMemory: boolean,
): BenchJob {
  const reference = config.role === 'reference';
  return {
    ...config,
    runtime: config.runtime === 'tfjs' ? 'tfjs' : 'ort',
    entry,
    modelsUrl: settings.modelsUrl,
    tfjsWasmPath: settings.tfjsWasmPath,
    ortWasmPath: settings.ortWasmPath,
    batches: reference ? [1] : options.batches,
    runs: reference ? FIXED_INPUT_COUNT - 1 : options.runs,
    warmup: reference ? 0 : options.warmup,
    tfjsFlags: options.tfjsFlags,
    ortSessionOptions: options.ortSessionOptions,
    measureMemory,
  };
}

function runInWorker(
  job: BenchJob,
  workerUrl: string,
  timeoutSeconds: number,
  memory: MemoryProbe | null,
  hooks: BenchHooks,
): Promise<ConfigResult> {
  const model = `${job.entry.id}/${job.entry.version}`;
  const failed = (status: 'failed' | 'timeout', error: string): ConfigResult => ({
    ...emptyConfigResult(job, model, job),
    status,
    error,
  });
  return new Promise((resolve) => {
    const worker = new Worker(workerUrl, { type: 'module' });
    const finish = (result: ConfigResult) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(failed('timeout', `stopped after ${timeoutSeconds} s`)),
      timeoutSeconds * 1000,
    );
    const send = (message: PageToBenchWorker) => worker.postMessage(message);
    const answerMemory = async (id: number) => send({ kind: 'memory', id, bytes: memory ? await memory.read() : null });
    worker.addEventListener('message', (event: MessageEvent<BenchWorkerToPage>) => {
      const message = event.data;
      if (message.kind === 'progress') hooks.progress(message.key, message.text);
      else if (message.kind === 'measure-memory') void answerMemory(message.id);
      else finish(message.result);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      finish(failed('failed', `the bench worker crashed: ${event.message || 'unknown error'}`));
    });
    send({ kind: 'run', job });
  });
}

export async function runBenchSession(
  options: BenchOptions,
  settings: BenchSettings,
  hooks: BenchHooks,
): Promise<BenchReport> {
  const started = performance.now();
  const environment = await describeBrowserEnvironment();
  const manifest = await fetchManifest(settings.modelsUrl);
  const modelId = chooseModelId(manifest, options.model);
  const model = manifest.models.find((m) => m.id === modelId)!;
  const configs = planBrowserConfigs(options, {
    cores: environment.hardwareConcurrency,
    multiThreaded: environment.crossOriginIsolated,
  });
  const memory = options.measureMemory ? await MemoryProbe.start() : null;
  const measureConfig = async (config: BenchConfig, entry: ModelManifestEntry, memory: MemoryProbe | null) => {
    const skipMemory = memory !== null && memoryUnmeasurable(config, environment);
    const job = jobFor(config, entry, options, settings, memory !== null && !skipMemory);
    const result = await runInWorker(
      job,
      settings.workerUrl,
      options.timeoutSeconds,
      skipMemory ? null : memory,
      hooks,
    );
    if (skipMemory) result.notes.push(UNMEASURABLE_NOTE);
    else if (memory?.stuck)
      result.notes.push('a memory measurement did not come back: memory readings missing until it does');
    return result;
  };
  // A worker whose threads blocked a measurement blocks every later one, even after it is terminated.
  const order = memory
    ? [
        ...configs.filter((c) => !memoryUnmeasurable(c, environment)),
        ...configs.filter((c) => memoryUnmeasurable(c, environment)),
      ]
    : configs;
  const byKey = new Map<string, ConfigResult>();
  for (const config of order) {
    const entry = findModelEntry(manifest, model.id, config.runtime === 'tfjs' ? 'tfjs' : 'onnx', config.weights);
    const result = entry
      ? await measureConfig(config, entry, memory)
      : {
          ...emptyConfigResult(config, `${model.id}/${model.version}`, options),
          status: 'unavailable' as const,
          error: `no ${config.weights} ${config.runtime} form of ${model.id} in the manifest`,
        };
    byKey.set(config.key, result);
    hooks.result(result);
  }
  const results = configs.map((c) => byKey.get(c.key)!);
  const reference = applyAgreement(results);
  return {
    schemaVersion: BENCH_REPORT_VERSION,
    createdAt: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    options,
    model: { id: model.id, version: model.version, name: model.name, demo: model.demo },
    environment: { browser: environment, node: null },
    reference,
    results,
    training: [],
  };
}
