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
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startBuiltServer } from './built-app.js';
import { choosePhoto, FUNDUS_FIXTURE, waitForApp, type TimedScreening } from './screening-page.js';

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
if (values.help) {
  // The usage is this file's opening comment.
  const source = await readFile(new URL(import.meta.url), 'utf8');
  console.log(
    /\/\*\*([\s\S]*?)\*\//
      .exec(source)![1]!
      .replace(/^ \* ?/gm, '')
      .trim(),
  );
  process.exit(0);
}
const runs = Number(values.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(10);

interface Grading {
  wallMs: number;
  /** Click → the result drawn (the frame that shows it). */
  shownMs: number;
  tfjsMs: number;
  ortMs: number;
  backends: string;
  longestTaskMs: number;
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

async function grade(
  browser: Browser,
  page: Page,
  photo: { name: string; mimeType: string; buffer: Buffer },
): Promise<Grading> {
  await choosePhoto(page, photo, { timeout: 120000 });
  await page.locator('fg-eye-panel[eye=right] fg-screening-form button[data-grade]:not([disabled])').waitFor();
  // Top-level tasks (RunTask, with their CPU time) are only in the disabled-by-default category.
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const measured = await page.evaluate(async () => {
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    const app = document.querySelector('fg-app')!;
    const saved = new Promise<CustomEvent<TimedScreening>>((resolve) =>
      // The graded record: a photo that fails the quality gate was saved as ungraded before.
      app.addEventListener('fg-screening-saved', (e) => {
        if ((e as CustomEvent<{ kind: string }>).detail.kind === 'graded') resolve(e as CustomEvent<TimedScreening>);
      }),
    );
    const panel = app.shadowRoot!.querySelector('fg-eye-panel[eye=right]')!.shadowRoot!;
    // The result on screen: the right eye's result view holding a new result, in the frame that draws it.
    // (No named functions in here: tsx would wrap them in a __name() helper the page lacks.)
    const resultView = 'fg-grade-result';
    const before = panel.querySelector<HTMLElement & { result?: unknown }>(resultView)?.result;
    const started = performance.now();
    panel
      .querySelector('fg-screening-form')!
      .shadowRoot!.querySelector<HTMLButtonElement>('button[data-grade]')!
      .click();
    const shown = (async () => {
      for (;;) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const view = panel.querySelector<HTMLElement & { result?: unknown }>(resultView);
        if (view?.result && view.result !== before && view.shadowRoot?.querySelector('[data-grade]'))
          return performance.now() - started;
      }
    })();
    const { detail } = await saved;
    const shownMs = await shown;
    const wallMs = performance.now() - started;
    // Long tasks are reported after they end: let the observer catch up.
    await new Promise((resolve) => setTimeout(resolve, 100));
    observer.disconnect();
    return {
      wallMs,
      shownMs,
      tfjsMs: detail.tfjs.ms,
      ortMs: detail.ort.ms,
      backends: `${detail.tfjs.backend}/${detail.ort.backend}`,
      longestTaskMs: Math.max(0, ...longTasks),
    };
  });
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

  const fixture = { name: 'fundus.jpeg', mimeType: 'image/jpeg', buffer: await readFile(FUNDUS_FIXTURE) };
  const camera = { name: 'camera-4752x3168.jpeg', mimeType: 'image/jpeg', buffer: await cameraPhoto() };
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
      `  longest main-thread task     ${ms(Math.max(...results.map((r) => r.longestTaskMs)))}  (max over runs; 0 = none over 50 ms)`,
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
