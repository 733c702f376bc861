/**
 * The CI check of the benchmark: `npm run bench -- --quick` end to end (build if stale, server,
 * headless Chromium, native reference, training step), its JSON validated against the schema.
 * About a minute on this 2-core machine (plus ~30 s when dist/ must be rebuilt first).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportProblems } from '../../../src/bench/validate-report.js';
import type { BenchReport } from '../../../src/shared/bench/bench-types.js';
import { benchCli, type CliResult } from './support/bench-cli.js';

const chromium =
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].some(existsSync) ||
  Boolean(process.env.CHROMIUM_PATH);

describe(
  'npm run bench -- --quick',
  { skip: !chromium && 'no Chromium (npm run setup:chromium)', timeout: 240_000 },
  () => {
    let out: string;
    let run: CliResult;
    let report: BenchReport;
    let jsonPath: string;

    before(async () => {
      out = await mkdtemp(join(tmpdir(), 'fg-bench-quick-'));
      run = await benchCli(['--quick', '--out', out], 230_000);
      assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr}`);
      const files = await readdir(out);
      jsonPath = join(
        out,
        files.find((f) => f.endsWith('.json'))!,
      );
      report = JSON.parse(await readFile(jsonPath, 'utf8')) as BenchReport;
    });
    after(() => rm(out, { recursive: true, force: true }));

    it('writes a JSON report that the schema accepts, and its CSV', async () => {
      assert.deepEqual(reportProblems(report), []);
      const csv = (await readdir(out)).find((f) => f.endsWith('.csv'))!;
      const lines = (await readFile(join(out, csv), 'utf8')).trimEnd().split('\r\n');
      assert.match(lines[0]!, /^key,runtime,backend,threads/);
      assert.equal(
        lines.length,
        1 + report.results.reduce((n, r) => n + Math.max(1, r.batches.length), 0) + report.training.length,
      );
    });

    it('measures both browser runtimes on wasm and the native reference, on the tiny model', () => {
      assert.equal(report.model.id, 'tiny');
      const keys = report.results.map((r) => `${r.key}:${r.status}`);
      for (const key of ['ort/wasm/1t/fp32', 'tfjs/wasm/1t/fp16', 'ort-node/cpu/1t/fp32'])
        assert.ok(keys.includes(`${key}:ok`), `${key} ok in ${keys.join(' ')}`);
      for (const result of report.results) {
        assert.deepEqual(
          result.batches.map((b) => [b.batch, b.samplesMs.length]),
          [
            [1, 3],
            [4, 3],
          ],
          result.key,
        );
        assert.ok(result.initMs! > 0 && result.batches[0]!.firstMs > 0, result.key);
      }
      assert.equal(report.environment.browser?.crossOriginIsolated, true);
      assert.ok(report.environment.node!.cpuCount >= 1);
    });

    it('agrees with the wasm fp32 reference, leaks nothing over the runs, and frees everything on dispose', () => {
      assert.match(report.reference ?? '', /^ort\/wasm\/\d+t\/fp32$/);
      for (const result of report.results.filter((r) => r.key !== report.reference)) {
        assert.ok(result.agreement, `${result.key} compared`);
        assert.equal(result.agreement.top1Agree, result.agreement.images, result.key);
        assert.ok(result.agreement.maxAbsDiff < 1e-4, `${result.key}: max |Δp| ${result.agreement.maxAbsDiff}`);
      }
      for (const result of report.results.filter((r) => r.runtime !== 'ort-node')) {
        for (const batch of result.batches) assert.equal(batch.leak.flat, true, `${result.key} batch ${batch.batch}`);
        const { beforeLoad, afterLoad, afterDispose } = result.memory;
        assert.ok(afterLoad!.tensors! >= beforeLoad!.tensors!, `${result.key} holds its weights`);
        assert.equal(afterDispose!.tensors, beforeLoad!.tensors, `${result.key}: disposing frees every tensor`);
      }
    });

    it('measures the training step on wasm', () => {
      assert.deepEqual(
        report.training.map((t) => [t.backend, t.status]),
        [['wasm', 'ok']],
      );
      assert.ok(report.training[0]!.imagesPerSecond! > 0);
    });

    it('prints the table on stdout', () => {
      assert.match(run.stdout, /^configuration\s+batch\s+fetch ms\s+init ms\s+first ms\s+min\s+p50/m);
      assert.match(run.stdout, /^ort\/wasm\/1t\/fp32\s+1\s/m);
      assert.match(run.stdout, /^reference\s+ort\/wasm/m);
    });

    it('--compare prints 1.00× for a report against itself', async () => {
      const compared = await benchCli(['--compare', jsonPath, jsonPath], 30_000);
      assert.equal(compared.code, 0, compared.stderr);
      assert.match(compared.stdout, /^ort\/wasm\/1t\/fp32\s+1\s+1\.00×\s+1\.00×\s+1\.00×/m);
    });
  },
);

describe('bench CLI arguments', () => {
  it('--help explains the options; a bad option exits 2', async () => {
    const help = await benchCli(['--help'], 30_000);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--quick/);
    const bad = await benchCli(['--runs', 'lots'], 30_000);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--runs must be a non-negative integer/);
  });
});
