/**
 * `npm run bench`: the framework benchmark, headless. Builds dist/ if stale, serves it with the
 * production server, runs the bench page in Chromium (TF.js and ONNX Runtime Web on each backend),
 * runs the native reference (onnxruntime-node) and the training step, then prints and writes the report.
 *   node --import tsx src/bench/cli.ts --help
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { applyAgreement } from '../shared/bench/bench-stats.js';
import { chooseModelId, planNativeConfigs } from '../shared/bench/bench-plan.js';
import { BenchOptionsError } from '../shared/bench/bench-options.js';
import type { BenchOptions, BenchReport, ConfigResult, TrainingResult } from '../shared/bench/bench-types.js';
import { BENCH_REPORT_VERSION } from '../shared/bench/bench-types.js';
import type { ModelManifest } from '../shared/model-manifest.js';
import { findModelEntry } from '../shared/model-manifest.js';
import { runCli, UsageError } from '../pipeline/cli/cli-support.js';
import { parseCli, USAGE, type RunCommand } from './cli-options.js';
import { compareReports, readReport } from './compare-reports.js';
import { runBuild, staleReason } from './ensure-build.js';
import { runNativeConfig } from './native-ort.js';
import { describeNodeEnvironment } from './node-environment.js';
import { environmentLines, resultsTable, trainingTable, writeReportFiles } from './report-output.js';
import { runInChromium } from './run-in-chromium.js';
import { prepareServedRoot } from './served-root.js';
import { startStaticServer } from './static-server.js';
import { measureTraining, TRAINING_WORKLOAD } from './training-throughput.js';
import { assertValidReport } from './validate-report.js';

/** One status line that rewrites itself on a terminal; nothing in logs (the results say it all). */
function status(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text.slice(0, (process.stderr.columns || 100) - 1)}`);
}

function log(text: string): void {
  status('');
  process.stderr.write(`${text}\n`);
}

function summary(result: ConfigResult): string {
  const p50s = result.batches
    .map((b) => `batch ${b.batch} p50 ${b.latencyMs ? b.latencyMs.p50.toFixed(1) : '—'} ms`)
    .join(', ');
  return `${result.key.padEnd(28)} ${result.status}${result.status === 'ok' ? `: ${p50s}` : `: ${result.error ?? ''}`}`;
}

async function runNative(options: BenchOptions, manifest: ModelManifest, modelsDir: string): Promise<ConfigResult[]> {
  const results: ConfigResult[] = [];
  for (const config of planNativeConfigs(options, availableParallelism())) {
    const entry = findModelEntry(manifest, options.model!, 'onnx', config.weights);
    if (!entry) continue;
    const result = await runNativeConfig(config, entry, modelsDir, options, (text) => status(`${config.key}: ${text}`));
    log(summary(result));
    results.push(result);
  }
  return results;
}

async function runTraining(plan: RunCommand['training']): Promise<TrainingResult[]> {
  if (plan === 'none') return [];
  // The cpu backend takes ~40 s a pass here even on the small workload: only the full run waits for it.
  const runs =
    plan === 'quick'
      ? [{ backend: 'wasm' as const, passes: 1 }]
      : [
          { backend: 'wasm' as const, passes: 3 },
          { backend: 'cpu' as const, passes: 1 },
        ];
  const results: TrainingResult[] = [];
  for (const { backend, passes } of runs) {
    status(`training step on ${backend}…`);
    const result = await measureTraining(backend, TRAINING_WORKLOAD, passes, 10 * 60 * 1000);
    log(
      `train/tfjs-node/${backend}`.padEnd(28) +
        ` ${result.status}: ${result.imagesPerSecond ?? '—'} img/s${result.error ? ` (${result.error})` : ''}`,
    );
    results.push(result);
  }
  return results;
}

function optionsFor(command: RunCommand, manifest: ModelManifest): BenchOptions {
  try {
    return { ...command.options, model: chooseModelId(manifest, command.options.model) };
  } catch (error) {
    throw new BenchOptionsError((error as Error).message);
  }
}

/** The bench page in headless Chromium, on the production server; null when no browser runtime is asked for. */
async function runBrowser(root: string, options: BenchOptions): Promise<BenchReport | null> {
  if (!options.runtimes.some((r) => r !== 'ort-node')) return null;
  const server = await startStaticServer(root);
  try {
    return await runInChromium(server.url, options, {
      progress: (key, text) => status(`${key}: ${text}`),
      result: (result) => log(summary(result)),
    });
  } finally {
    await server.stop();
  }
}

async function run(command: RunCommand): Promise<number> {
  const started = performance.now();
  const createdAt = new Date().toISOString();
  const reason = command.build ? await staleReason() : null;
  if (reason) {
    log(`building dist/ (${reason})…`);
    await runBuild();
  }
  const served = await prepareServedRoot(command.modelDir === null ? null : resolve(command.modelDir));
  try {
    const manifest = JSON.parse(await readFile(join(served.modelsDir, 'manifest.json'), 'utf8')) as ModelManifest;
    const options = optionsFor(command, manifest);
    const node = describeNodeEnvironment();
    // One after another, never side by side: each would slow the others down.
    const native = await runNative(options, manifest, served.modelsDir);
    const browser = await runBrowser(served.root, options);
    const training = await runTraining(command.training);

    const results = [...(browser?.results ?? []), ...native];
    const entry = manifest.models.find((m) => m.id === options.model)!;
    const report = assertValidReport(
      {
        schemaVersion: BENCH_REPORT_VERSION,
        createdAt,
        durationSeconds: (performance.now() - started) / 1000,
        options,
        model: { id: entry.id, version: entry.version, name: entry.name, demo: entry.demo },
        environment: { browser: browser?.environment.browser ?? null, node },
        reference: applyAgreement(results),
        results,
        training,
      } satisfies BenchReport,
      'the report just produced',
    );
    console.log(['', ...environmentLines(report), '', resultsTable(report), '', trainingTable(report)].join('\n'));
    const files = await writeReportFiles(report, resolve(command.out));
    log(`\nwrote ${files.json}\n      ${files.csv}\n(${report.durationSeconds.toFixed(0)} s)`);
    const broken =
      results.some((r) => r.status === 'failed' || r.status === 'timeout') ||
      training.some((t) => t.status === 'failed');
    return broken ? 1 : 0;
  } finally {
    await served.dispose();
  }
}

async function main(argv: string[]): Promise<number> {
  const command = parseCli(argv);
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command.kind === 'compare') {
    console.log(compareReports(await readReport(command.a), await readReport(command.b)));
    return 0;
  }
  return run(command);
}

// BenchOptionsError is the bench page's too (src/shared): here it is bad usage, exit status 2.
runCli(
  () =>
    main(process.argv.slice(2)).catch((error: unknown) => {
      throw error instanceof BenchOptionsError ? new UsageError(error.message) : error;
    }),
  '(npm run bench -- --help for the options)',
);
