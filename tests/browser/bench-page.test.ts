import { expect, fixture, html } from '@open-wc/testing';
import { buildConfig } from '../../src/app/build-config.js';
import '../../src/app/bench/fg-bench-app.js';
import '../../src/app/bench/fg-bench-chart.js';
import '../../src/app/bench/fg-bench-options.js';
import '../../src/app/bench/fg-bench-table.js';
import type { FgBenchApp } from '../../src/app/bench/fg-bench-app.js';
import type { FgBenchChart } from '../../src/app/bench/fg-bench-chart.js';
import type { FgBenchOptions } from '../../src/app/bench/fg-bench-options.js';
import type { FgBenchTable } from '../../src/app/bench/fg-bench-table.js';
import { normaliseBenchOptions } from '../../src/shared/bench/bench-options.js';
import type { ConfigResult } from '../../src/shared/bench/bench-types.js';

/** Served by web-test-runner.config.mjs (bundledOnRequest), as build.mjs bundles it. */
const BENCH_WORKER_URL = '/__bundle/bench.worker.js';

const stats = { min: 9, p50: 10, p90: 12, p99: 13, mean: 10.5, max: 13 };
const none = { uaBytes: null, tensors: 0, gpuBytes: null, wasmHeapBytes: 16 * 2 ** 20 };
const sample: ConfigResult = {
  key: 'tfjs/wasm/2t/fp32',
  runtime: 'tfjs',
  backend: 'wasm',
  threads: 2,
  weights: 'fp32',
  role: 'measure',
  status: 'ok',
  model: 'tiny/1',
  runtimeVersion: '4.22.0',
  actualThreads: 2,
  fetchMs: 4,
  fetchBytes: 30000,
  initMs: 12,
  batches: [
    {
      batch: 1,
      firstMs: 50,
      warmup: 1,
      samplesMs: [10, 9, 13],
      latencyMs: stats,
      imagesPerSecond: 95.2,
      leak: { runs: 3, before: none, after: none, flat: true },
    },
  ],
  memory: { beforeLoad: none, afterLoad: none, afterRuns: none, afterDispose: none },
  outputs: [[0.2, 0.2, 0.2, 0.2, 0.2], null, null, null],
  agreement: { reference: 'ort/wasm/2t/fp32', images: 1, maxAbsDiff: 2e-6, top1Agree: 1 },
  tfjsFlags: {},
  ortSessionOptions: {},
  notes: [],
};
const unavailable: ConfigResult = {
  ...sample,
  key: 'tfjs/webgpu/fp32',
  backend: 'webgpu',
  threads: null,
  actualThreads: null,
  status: 'unavailable',
  error: 'no adapter',
  batches: [],
  agreement: null,
};

describe('<fg-bench-table>', () => {
  it('shows one row per configuration and batch with its numbers, and why a backend is missing', async () => {
    const el = await fixture<FgBenchTable>(html`<fg-bench-table .results=${[sample, unavailable]}></fg-bench-table>`);
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-key'))).to.deep.equal(['tfjs/wasm/2t/fp32', 'tfjs/webgpu/fp32']);
    const cell = (row: Element, column: string) => row.querySelector(`[data-column="${column}"]`)!.textContent;
    expect(cell(rows[0]!, 'p50')).to.equal('10.0');
    expect(cell(rows[0]!, 'ips')).to.equal('95.2');
    expect(cell(rows[0]!, 'leak')).to.equal('flat over 3 (+0 tensors)');
    expect(cell(rows[0]!, 'top1')).to.equal('1/1');
    expect(rows[1]!.getAttribute('data-status')).to.equal('unavailable');
    expect(cell(rows[1]!, 'note')).to.equal('unavailable: no adapter');
  });

  it('is accessible', async () => {
    const el = await fixture<FgBenchTable>(html`<fg-bench-table .results=${[sample]}></fg-bench-table>`);
    await expect(el).shadowDom.to.be.accessible();
  });
});

describe('<fg-bench-chart>', () => {
  it('draws one labelled chart per runtime and backend, bar length growing with the median', async () => {
    const slow = {
      ...sample,
      key: 'tfjs/wasm/1t/fp32',
      actualThreads: 1,
      batches: [{ ...sample.batches[0]!, latencyMs: { ...stats, p50: 100, p90: 110, p99: 120 } }],
    };
    const ort = { ...sample, key: 'ort/wasm/2t/fp32', runtime: 'ort' as const };
    const el = await fixture<FgBenchChart>(
      html`<fg-bench-chart .results=${[sample, slow, ort, unavailable]}></fg-bench-chart>`,
    );
    const figures = [...el.shadowRoot!.querySelectorAll('figure')];
    expect(figures.map((f) => f.querySelector('figcaption')!.textContent)).to.deep.equal(['tfjs · wasm', 'ort · wasm']);
    const bars = [...figures[0]!.querySelectorAll('rect')].map((r) => Number(r.getAttribute('width')));
    expect(bars).to.have.length(2);
    expect(bars[1]!).to.be.greaterThan(bars[0]!);
    expect(figures[0]!.querySelector('svg')!.getAttribute('aria-label')).to.contain('2t fp32 batch 1: median 10.0 ms');
  });
});

describe('<fg-bench-options>', () => {
  it('shows the options it is given (the last run, e.g. from ?autorun=)', async () => {
    const options = normaliseBenchOptions({
      model: 'tiny',
      weights: ['fp16'],
      runs: 7,
      threads: [2],
      measureMemory: true,
    });
    const el = await fixture<FgBenchOptions>(
      html`<fg-bench-options .models=${['other', 'tiny']} .options=${options}></fg-bench-options>`,
    );
    const form = el.shadowRoot!.querySelector('form')!;
    const value = (selector: string) => form.querySelector<HTMLInputElement>(selector)!;
    expect(value('[name="runs"]').value).to.equal('7');
    expect(value('[name="threads"]').value).to.equal('2');
    expect(value('[name="weights"][value="fp32"]').checked).to.equal(false);
    expect(value('[name="weights"][value="fp16"]').checked).to.equal(true);
    expect(value('[name="measureMemory"]').checked).to.equal(true);
    expect(form.querySelector<HTMLSelectElement>('[name="model"]')!.value).to.equal('tiny');
  });

  it('fires validated options, and names what is wrong instead', async () => {
    const el = await fixture<FgBenchOptions>(html`<fg-bench-options .models=${['tiny']}></fg-bench-options>`);
    const form = el.shadowRoot!.querySelector('form')!;
    const input = (name: string) => form.querySelector<HTMLInputElement>(`[name="${name}"]`)!;
    let fired: unknown = null;
    el.addEventListener('fg-bench-run', (e) => (fired = e.detail));
    input('threads').value = '1, zero';
    form.requestSubmit();
    await el.updateComplete;
    expect(fired).to.equal(null);
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain('threads: "zero"');
    input('threads').value = '1, all';
    input('runs').value = '7';
    form.requestSubmit();
    expect(fired).to.include({ model: 'tiny', runs: 7 });
    expect((fired as { threads: unknown }).threads).to.deep.equal([1, 'all']);
  });
});

describe('<fg-bench-app>', () => {
  it('runs the tiny model in real bench workers and renders the results table', async () => {
    const el = await fixture<FgBenchApp>(
      html`<fg-bench-app
        .workerUrl=${BENCH_WORKER_URL}
        .tfjsWasmPath=${buildConfig.tfjsWasmPath}
        .ortWasmPath=${buildConfig.ortWasmPath}
      ></fg-bench-app>`,
    );
    const options = normaliseBenchOptions({
      model: 'tiny',
      runtimes: ['tfjs', 'ort'],
      backends: ['wasm'],
      threads: [1],
      weights: ['fp32'],
      runs: 2,
      warmup: 0,
      batches: [1],
      measureMemory: false,
    });
    const report = await el.run(options);
    expect(report.results.map((r) => [r.key, r.status])).to.deep.equal([
      ['ort/wasm/1t/fp32', 'ok'],
      ['tfjs/wasm/1t/fp32', 'ok'],
    ]);
    expect(report.reference).to.equal('ort/wasm/1t/fp32');
    // First run and two timed runs: three of the fixed inputs, the same top-1 on both runtimes.
    expect(report.results[1]!.agreement).to.include({ images: 3, top1Agree: 3 });
    expect(report.results[1]!.agreement!.maxAbsDiff).to.be.below(1e-4);
    await el.updateComplete;
    const table = el.shadowRoot!.querySelector('fg-bench-table')!;
    await table.updateComplete;
    const rows = [...table.shadowRoot!.querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-key'))).to.deep.equal(['ort/wasm/1t/fp32', 'tfjs/wasm/1t/fp32']);
    expect(rows[1]!.querySelector('[data-column="top1"]')!.textContent).to.equal('3/3');
    expect([...el.shadowRoot!.querySelectorAll('a[download]')].map((a) => a.textContent)).to.deep.equal([
      'Download JSON',
      'Download CSV',
    ]);
    await expect(el).shadowDom.to.be.accessible();
  });
});
