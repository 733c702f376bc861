import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareReports } from '../../../src/bench/compare-reports.js';
import { resultsTable } from '../../../src/bench/report-output.js';
import { reportProblems } from '../../../src/bench/validate-report.js';
import { reportToCsv } from '../../../src/shared/bench/bench-csv.js';
import { applyAgreement } from '../../../src/shared/bench/bench-stats.js';
import { batch, report, result } from './support/fixtures.js';

function sampleReport() {
  const results = [
    result({ runtime: 'ort', backend: 'wasm', weights: 'fp32', threads: 2 }),
    result({ runtime: 'tfjs', backend: 'webgl', weights: 'fp32', batches: [batch(1, [300, 320])] }),
    result({
      runtime: 'tfjs',
      backend: 'webgpu',
      weights: 'fp32',
      status: 'unavailable',
      error: 'no adapter',
      batches: [],
      outputs: [null, null, null, null],
    }),
    result({
      runtime: 'ort-node',
      backend: 'cpu',
      weights: 'fp32',
      threads: 2,
      batches: [batch(1, [2, 2.5, 3]), batch(4, [8, 9, 10])],
    }),
  ];
  const r = report(results);
  r.reference = applyAgreement(results);
  return r;
}

describe('the report schema', () => {
  it('accepts a complete report', () => {
    assert.deepEqual(reportProblems(sampleReport()), []);
  });

  it('rejects missing fields, unknown fields, wrong types and a failure without its reason', () => {
    const broken = [
      (r: ReturnType<typeof sampleReport>) => delete (r as Partial<typeof r>).environment,
      (r: ReturnType<typeof sampleReport>) => Object.assign(r.results[0]!, { surprise: 1 }),
      (r: ReturnType<typeof sampleReport>) => Object.assign(r.results[0]!.batches[0]!, { firstMs: '12' }),
      (r: ReturnType<typeof sampleReport>) => delete r.results[2]!.error,
      (r: ReturnType<typeof sampleReport>) => Object.assign(r.results[0]!, { status: 'ok', batches: [] }),
      (r: ReturnType<typeof sampleReport>) => Object.assign(r, { createdAt: 'yesterday' }),
    ];
    for (const breakIt of broken) {
      const r = sampleReport();
      breakIt(r);
      assert.notDeepEqual(reportProblems(r), [], `should reject: ${breakIt.toString()}`);
    }
  });
});

describe('the results table', () => {
  it('has a row per configuration and batch, ratios to native, agreement and failures', () => {
    const lines = resultsTable(sampleReport()).split('\n');
    assert.match(lines[0]!, /^configuration\s+batch\s+fetch ms/);
    const row = (key: string, batchSize: string) =>
      lines.find((l) => l.startsWith(`${key} `) && l.split(/\s+/)[1] === batchSize);
    // ORT wasm on 2 threads against native on 2 threads: 11 / 2.5 ms; batch 4: 42 / 9.
    assert.match(row('ort/wasm/2t/fp32', '1')!, / 4\.4× /);
    assert.match(row('ort/wasm/2t/fp32', '4')!, / 4\.7× /);
    assert.match(row('tfjs/webgl/fp32', '1')!, /0\.0e\+0\s+2\/2/);
    // No threads on webgl: compared with the fastest native median (300 / 2.5 ms).
    assert.match(row('tfjs/webgl/fp32', '1')!, / 120\.0× /);
    assert.match(
      lines.find((l) => l.startsWith('tfjs/webgpu/fp32'))!,
      /unavailable: no adapter/,
    );
  });
});

describe('reportToCsv', () => {
  it('writes one row per configuration and batch plus training, each with the environment', () => {
    const lines = reportToCsv(sampleReport()).trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    assert.equal(lines.length, 1 + 2 + 1 + 1 + 2 + 1);
    const cells = (line: string) => Object.fromEntries(line.split(',').map((v, i) => [String(header[i]), v] as const));
    const ort = cells(lines[1]!);
    assert.equal(ort.key, 'ort/wasm/2t/fp32');
    assert.equal(ort.p50_ms, '11');
    assert.equal(ort.browser, 'Chromium 156.0.0.0');
    assert.equal(ort.cross_origin_isolated, 'true');
    assert.equal(cells(lines[4]!).error, 'no adapter');
    assert.equal(cells(lines[7]!).key, 'train/tfjs-node/wasm/32px');
  });

  it('quotes cells with commas and quotes', () => {
    const r = sampleReport();
    r.results[2]!.error = 'bad "adapter", try again';
    assert.match(reportToCsv(r), /,"bad ""adapter"", try again",/);
  });
});

describe('compareReports', () => {
  it('prints B/A per configuration and batch, and what only one report has', () => {
    const a = sampleReport();
    const b = sampleReport();
    b.results[0]!.batches[0] = batch(1, [5, 5.5, 6]);
    b.results.splice(1, 1);
    const text = compareReports(a, b);
    const line = text.split('\n').find((l) => l.startsWith('ort/wasm/2t/fp32') && l.split(/\s+/)[1] === '1')!;
    assert.deepEqual(line.split(/\s+/).slice(4), ['0.50×', '0.50×', '0.50×', '2.00×']);
    assert.match(text, /only in A: tfjs\/webgl\/fp32/);
  });
});
