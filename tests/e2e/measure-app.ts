/**
 * Speed figures of the built app in headless Chromium (printed, not asserted):
 *   node --import tsx tests/e2e/measure-app.ts [--model tiny] [--backend wasm] [--runs 5] [--chromium-arg SWITCH]…
 *     [--no-webgpu-flags] [--help]
 * Needs `npm run build` first. Measures
 * - how fast the page is interactive when the service worker serves it (after one visit);
 * - one photo graded by both variants after warm-up: each variant's inference and the page's wall time;
 * - the main thread's longest task (PerformanceObserver 'longtask') while grading, for the 420 px fixture
 *   and for a 4752×3168 camera-sized JPEG, and from a Chromium trace of the same grading the CPU time
 *   the main thread really spent in its longest task: on 2 cores the worker's threads compete with the
 *   page, and a task's wall time then includes time the main thread waited for a core;
 * - the memory of the page and of each of its workers after those gradings
 *   (performance.measureUserAgentSpecificMemory: JS heaps, ArrayBuffers, wasm memories).
 */
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startBuiltServer } from './built-app.js';
import {
  gradeButtonEnabled,
  jpegPhoto,
  median,
  ms,
  printUsageAndExit,
  timeGrading,
  type JpegPhoto,
  type TimedGrading,
} from './measure-support.js';
import { choosePhoto, FUNDUS_FIXTURE, waitForApp } from './screening-page.js';

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    model: { type: 'string', default: 'tiny' },
    backend: { type: 'string', default: 'wasm' },
    runs: { type: 'string', default: '5' },
    // e.g. --chromium-arg=--js-flags=--no-wasm-dynamic-tiering: what V8's background tier-up costs.
    'chromium-arg': { type: 'string', multiple: true, default: [] },
    // Without --enable-unsafe-webgpu and --enable-unsafe-swiftshader: Chromium as it runs by default.
    'no-webgpu-flags': { type: 'boolean', default: false },
  },
});
if (values.help) await printUsageAndExit(import.meta.url);
const runs = Number(values.runs);

interface Grading extends TimedGrading {
  /** Of the main thread's longest task in the trace: wall and CPU (thread) time. */
  tracedLongest: { wallMs: number; cpuMs: number };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The longest top-level task of any renderer main thread in a Chromium trace, wall and CPU time. */
function longestMainThreadTask(trace: Buffer): { wallMs: number; cpuMs: number } {
  const { traceEvents } = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] };
  const main = new Set(
    traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  let longest = { wallMs: 0, cpuMs: 0 };
  for (const e of traceEvents) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || !main.has(`${e.pid}:${e.tid}`)) continue;
    if ((e.dur ?? 0) / 1000 > longest.wallMs) longest = { wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000 };
  }
  return longest;
}

/** A camera-sized photo: a retina-like disc on black, as a fundus camera frames it. */
async function cameraPhoto(): Promise<Buffer> {
  const [w, h] = [4752, 3168];
  const disc = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#000"/>
    <circle cx="${w / 2}" cy="${h / 2}" r="${h * 0.47}" fill="#b5452a"/><circle cx="${w * 0.38}" cy="${h / 2}" r="${h * 0.07}" fill="#f2d29b"/></svg>`;
  return sharp(Buffer.from(disc)).jpeg({ quality: 90 }).toBuffer();
}

interface ContextMemory {
  scope: string;
  url: string;
  bytes: number;
}

/**
 * What each context of the page's agent holds (the page, the inference worker, ORT's worker nested in
 * it), from performance.measureUserAgentSpecificMemory; bytes shared by several contexts are split
 * evenly between them. Null where the browser does not answer within a minute.
 */
async function contextMemory(page: Page): Promise<ContextMemory[] | null> {
  return page.evaluate(async () => {
    type Measurement = {
      bytes: number;
      breakdown: Array<{ bytes: number; attribution: Array<{ url: string; scope: string }> }>;
    };
    const measure = (performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<Measurement> })
      .measureUserAgentSpecificMemory;
    if (!measure) return null;
    const result = await Promise.race([
      measure.call(performance),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 60000)),
    ]);
    if (!result) return null;
    const contexts = new Map<string, { scope: string; url: string; bytes: number }>();
    for (const { bytes, attribution } of result.breakdown) {
      const owners = attribution.length ? attribution : [{ scope: 'unattributed', url: '' }];
      for (const { scope, url } of owners) {
        const key = `${scope} ${url}`;
        const context = contexts.get(key) ?? { scope, url, bytes: 0 };
        context.bytes += bytes / owners.length;
        contexts.set(key, context);
      }
    }
    return [...contexts.values()].sort((a, b) => b.bytes - a.bytes);
  });
}

async function grade(browser: Browser, page: Page, photo: JpegPhoto): Promise<Grading> {
  await choosePhoto(page, photo, { timeout: 120000 });
  await gradeButtonEnabled(page);
  // Top-level tasks (RunTask, with their CPU time) are only in the disabled-by-default category.
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const measured = await timeGrading(page, { watchLongTasks: true });
  return { ...measured, tracedLongest: longestMainThreadTask(await browser.stopTracing()) };
}

const server = await startBuiltServer();
// Measured memory is answered at once instead of after the next garbage collection (up to ~20 s).
const browser = await launchChromium([...values['chromium-arg'], '--enable-blink-features=ForceEagerMeasureMemory'], {
  webgpu: !values['no-webgpu-flags'],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?backend=${values.backend}&model=${values.model}`);
  await waitForApp(page, { offline: true });

  const loads: Array<{
    sw: boolean;
    response: number;
    domContentLoaded: number;
    rendered: number;
    modelsReady: number;
  }> = [];
  for (let i = 0; i < runs; i++) {
    await page.reload();
    await waitForApp(page);
    loads.push(
      await page.evaluate(() => {
        // No named functions in here: tsx would wrap them in a __name() helper the page lacks.
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const [rendered, modelsReady] = ['fg-app-rendered', 'fg-models-ready'].map(
          (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN,
        );
        return {
          sw: nav.workerStart > 0,
          response: nav.responseEnd,
          domContentLoaded: nav.domContentLoadedEventEnd,
          rendered: rendered!,
          modelsReady: modelsReady!,
        };
      }),
    );
  }

  const fixture = await jpegPhoto(FUNDUS_FIXTURE);
  const camera: JpegPhoto = { name: 'camera-4752x3168.jpeg', mimeType: 'image/jpeg', buffer: await cameraPhoto() };
  const small: Grading[] = [];
  for (let i = 0; i < runs; i++) small.push(await grade(browser, page, fixture));
  const large: Grading[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) large.push(await grade(browser, page, camera));
  const memory = await contextMemory(page);

  const pick = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
  console.log(
    `\nFundus Grader speed — model ${values.model}, backend ${values.backend}, median of ${runs} (camera photo: ${large.length})`,
  );
  const extra =
    (values['no-webgpu-flags'] ? '; without the unsafe WebGPU switches' : '') +
    (values['chromium-arg'].length > 0 ? `; extra switches: ${values['chromium-arg'].join(' ')}` : '');
  console.log(
    `Chromium headless, ${browser.version()}; served by the service worker: ${loads.every((l) => l.sw) ? 'yes' : 'NO'}${extra}\n`,
  );
  console.log('Page load from the service-worker cache (ms after navigation start)');
  console.log(`  HTML received                ${ms(pick(loads, (l) => l.response))}`);
  console.log(`  DOMContentLoaded             ${ms(pick(loads, (l) => l.domContentLoaded))}`);
  console.log(`  app rendered (interactive)   ${ms(pick(loads, (l) => l.rendered))}`);
  console.log(`  models loaded and warmed up  ${ms(pick(loads, (l) => l.modelsReady))}`);
  for (const [label, results] of [
    ['420×315 fixture', small],
    ['4752×3168 camera JPEG', large],
  ] as const) {
    console.log(`\nGrading the ${label} (${results[0]!.backends}, after warm-up)`);
    console.log(`  TF.js inference              ${ms(pick(results, (r) => r.tfjsMs))}`);
    console.log(`  ONNX Runtime inference       ${ms(pick(results, (r) => r.ortMs))}`);
    console.log(`  click → result shown         ${ms(pick(results, (r) => r.shownMs))}`);
    console.log(`  click → saved (page wall)    ${ms(pick(results, (r) => r.wallMs))}`);
    console.log(
      `  each run, TF.js + ORT (ms)   ${results.map((r) => `${r.tfjsMs.toFixed(0)}+${r.ortMs.toFixed(0)}`).join(', ')}`,
    );
    console.log(
      `  longest main-thread task     ${ms(Math.max(...results.map((r) => r.longestTaskMs ?? 0)))}  (max over runs; 0 = none over 50 ms)`,
    );
    const traced = results.reduce((a, r) => (r.tracedLongest.wallMs > a.wallMs ? r.tracedLongest : a), {
      wallMs: 0,
      cpuMs: 0,
    });
    console.log(
      `  …in the trace: wall / CPU    ${ms(traced.wallMs)} / ${ms(traced.cpuMs).trim()}  (CPU: the main thread's own work)`,
    );
  }
  console.log('\nMemory after those gradings (measureUserAgentSpecificMemory: JS heap, ArrayBuffers, wasm)');
  if (!memory) console.log('  not measured (no answer)');
  for (const { scope, url, bytes } of memory ?? []) {
    const name = url ? new URL(url).pathname.split('/').pop() || '/' : '';
    console.log(`  ${`${scope} ${name}`.padEnd(60)} ${`${(bytes / 1048576).toFixed(1)} MiB`.padStart(10)}`);
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
