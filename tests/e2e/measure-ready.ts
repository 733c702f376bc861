/**
 * Where the seconds of "Model ready" go, from a Chromium trace (printed, not asserted):
 *   node --import tsx tests/e2e/measure-ready.ts [--model resnet50-dr] [--backend auto] [--reloads 3]
 *     [--no-webgpu-flags] [--trace-out build/reports/measure-ready-trace.json] [--help]
 * Needs `npm run build` first. Opens the built app once (the first visit: everything downloaded,
 * stored and warmed up), then reloads it `--reloads` times from the service worker's cache, each under
 * a Chromium trace. Prints, for the first visit and each reload, the start path's spans
 * (workers/models/start-up-timing.ts: the page's manifest, init and load-models requests; each runtime
 * brought up; each model file read and hashed; each model built; each warm-up run), on the thread that
 * ran them, in ms after the navigation started; V8's WebAssembly compilations in the same window (from its
 * code cache, baseline, optimised); each thread's CPU time in tasks.
 * The last reload's trace is written to `--trace-out` (open it in chrome://tracing or Perfetto).
 * `--no-webgpu-flags` launches Chromium without --enable-unsafe-webgpu and --enable-unsafe-swiftshader.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchChromium, startBuiltServer } from './built-app.js';
import { median, printUsageAndExit } from './measure-support.js';
import { waitForApp } from './screening-page.js';

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    model: { type: 'string', default: 'resnet50-dr' },
    backend: { type: 'string', default: 'auto' },
    reloads: { type: 'string', default: '3' },
    'no-webgpu-flags': { type: 'boolean', default: false },
    'trace-out': { type: 'string', default: 'build/reports/measure-ready-trace.json' },
  },
});
if (values.help) await printUsageAndExit(import.meta.url);

/** V8's WebAssembly compilations: from its code cache, baseline (Liftoff, eager or on first call), optimised (TurboFan). */
const WASM_COMPILATIONS = [
  'wasm.Deserialize',
  'wasm.BaselineCompilation',
  'wasm.CompileLazy',
  'wasm.TopTierCompilation',
];

const CATEGORIES = [
  'blink.user_timing',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.wasm',
  'disabled-by-default-v8.wasm.detailed',
];

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  id?: string;
  id2?: { local?: string; global?: string };
  args?: Record<string, unknown>;
}

interface Span {
  name: string;
  thread: string;
  startMs: number;
  ms: number;
}

/** The spans named `fg:…` (User Timing measures of any thread), and the wasm compilations, after `origin`. */
function spansOf(events: TraceEvent[]): {
  spans: Span[];
  wasm: Map<string, { count: number; ms: number }>;
  busy: Map<string, number>;
} {
  const threadNames = new Map<string, string>();
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, String(e.args?.['name']));
  // The two workers are both "DedicatedWorker thread": told apart by the spans they record.
  const OWNERS: Record<string, string> = {
    page: 'page',
    inference: 'inference worker',
    tfjs: 'inference worker',
    ort: 'ORT worker',
  };
  for (const e of events) {
    const owner = e.name.startsWith('fg:') ? OWNERS[e.name.slice(3).split(':')[0]!] : undefined;
    if (owner) threadNames.set(`${e.pid}:${e.tid}`, owner);
  }
  const threadOf = (e: TraceEvent) => threadNames.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;

  // The reload's navigation: the last navigationStart before the page's first span.
  const firstPageSpan = events.find((e) => e.name === 'fg:page:manifest' && (e.ph === 'b' || e.ph === 'X'));
  const navigations = events.filter(
    (e) => e.name === 'navigationStart' && (!firstPageSpan || e.ts <= firstPageSpan.ts),
  );
  const origin = navigations.length ? navigations[navigations.length - 1]!.ts : (firstPageSpan?.ts ?? 0);
  const relative = (ts: number) => (ts - origin) / 1000;

  const spans: Span[] = [];
  const open = new Map<string, TraceEvent>();
  for (const e of events) {
    if (!e.name.startsWith('fg:')) continue;
    const key = `${e.pid}:${e.name}:${e.id ?? e.id2?.local ?? e.id2?.global ?? ''}`;
    if (e.ph === 'b') open.set(key, e);
    else if (e.ph === 'e') {
      const begin = open.get(key);
      if (!begin) continue;
      open.delete(key);
      spans.push({
        name: e.name.slice(3),
        thread: threadOf(begin),
        startMs: relative(begin.ts),
        ms: (e.ts - begin.ts) / 1000,
      });
    } else if (e.ph === 'X')
      spans.push({ name: e.name.slice(3), thread: threadOf(e), startMs: relative(e.ts), ms: (e.dur ?? 0) / 1000 });
  }
  spans.sort((a, b) => a.startMs - b.startMs);

  const end = Math.max(0, ...spans.map((s) => s.startMs + s.ms));
  // V8's WebAssembly compilations until ready, summed by kind (these events do not nest in one another).
  const wasm = new Map<string, { count: number; ms: number }>();
  for (const e of events) {
    if (e.ph !== 'X' || !WASM_COMPILATIONS.includes(e.name) || relative(e.ts) < 0 || relative(e.ts) > end) continue;
    const sum = wasm.get(e.name) ?? { count: 0, ms: 0 };
    sum.count++;
    sum.ms += (e.dur ?? 0) / 1000;
    wasm.set(e.name, sum);
  }

  // CPU time each thread spent in top-level tasks until the models were ready.
  const busy = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || relative(e.ts) < 0 || relative(e.ts) > end) continue;
    const thread = threadOf(e);
    busy.set(thread, (busy.get(thread) ?? 0) + (e.tdur ?? e.dur ?? 0) / 1000);
  }
  return { spans, wasm, busy };
}

const f = (x: number) => x.toFixed(0).padStart(6);

function print(title: string, { spans, wasm, busy }: ReturnType<typeof spansOf>): void {
  console.log(`\n${title}`);
  console.log('   start     ms  thread                    span');
  for (const s of spans) console.log(`  ${f(s.startMs)} ${f(s.ms)}  ${s.thread.padEnd(24).slice(0, 24)}  ${s.name}`);
  if (wasm.size) {
    console.log('  WebAssembly compiled until ready (all threads): events, ms');
    for (const [name, { count, ms }] of wasm) console.log(`  ${f(count)} ${f(ms)}  ${name}`);
  }
  if (busy.size) {
    console.log('  CPU time in tasks until ready, per thread (ms)');
    for (const [thread, ms] of [...busy].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${f(ms)}  ${thread}`);
  }
}

async function readyAt(page: Page): Promise<number> {
  return page.evaluate(() => performance.getEntriesByName('fg-models-ready')[0]?.startTime ?? NaN);
}

const server = await startBuiltServer();
const browser = await launchChromium([], { webgpu: !values['no-webgpu-flags'] });
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const url = `${server.url}/?backend=${values.backend}&model=${values.model}`;
  console.log(
    `"Model ready" from the cache — model ${values.model}, backend ${values.backend}, ${browser.version()}, ` +
      `unsafe WebGPU flags: ${values['no-webgpu-flags'] ? 'no' : 'yes'}`,
  );
  await browser.startTracing(page, { categories: CATEGORIES });
  await page.goto(url);
  await waitForApp(page, { offline: true, timeout: 300000 });
  const firstReady = await readyAt(page);
  print(`First visit: ready at ${firstReady.toFixed(0)} ms`, spansOf(parse(await browser.stopTracing())));

  const readies: number[] = [];
  for (let i = 1; i <= Number(values.reloads); i++) {
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.reload();
    await waitForApp(page, { timeout: 300000 });
    const ready = await readyAt(page);
    readies.push(ready);
    const trace = await browser.stopTracing();
    print(`Reload ${i}: ready at ${ready.toFixed(0)} ms`, spansOf(parse(trace)));
    if (i === Number(values.reloads)) {
      await mkdir(dirname(values['trace-out']), { recursive: true });
      await writeFile(values['trace-out'], trace);
      console.log(`\ntrace of reload ${i}: ${values['trace-out']}`);
    }
  }
  console.log(
    `\nfirst visit ready ${(firstReady / 1000).toFixed(1)} s; reloads ready ${readies.map((r) => (r / 1000).toFixed(1)).join(', ')} s (median ${(median(readies) / 1000).toFixed(1)} s)`,
  );
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}

function parse(trace: Buffer): TraceEvent[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  return events.sort((a, b) => a.ts - b.ts);
}
