/**
 * How fast the first gradings after "Model ready" are, visit after visit (printed, not asserted):
 *   node --import tsx tests/e2e/measure-visits.ts [--model resnet50-dr] [--visits 4] [--idle 60] [--gradings 3] [--delay 0]
 *     [--photo camera.jpeg] [--trace-visit N --trace-out trace.json] [--no-webgpu-flags] [--help]
 * Needs `npm run build` first. One browser profile, as a tablet keeps it: each visit opens the app in
 * a new tab, waits for "Model ready" (and then `--delay` seconds, as a screener takes to choose a
 * photo), chooses and grades the fixture photo (or `--photo`) `--gradings` times in a row, each with
 * the page's wall time from choosing to the preview and from the click on Grade to the saved record, then leaves
 * the tab idle for `--idle` seconds and closes it. Why visits: V8 compiles the runtimes' hot wasm
 * functions with TurboFan in the background for many seconds after the warm-up, and Chromium's wasm
 * code cache keeps what was compiled when it was written, so later visits can start faster.
 */
import { parseArgs } from 'node:util';
import { launchChromium, startBuiltServer } from './built-app.js';
import { gradeButtonEnabled, jpegPhoto, printUsageAndExit, timeGrading } from './measure-support.js';
import { choosePhoto, FUNDUS_FIXTURE, waitForApp } from './screening-page.js';

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    model: { type: 'string', default: 'resnet50-dr' },
    backend: { type: 'string', default: 'wasm' },
    visits: { type: 'string', default: '4' },
    idle: { type: 'string', default: '60' },
    gradings: { type: 'string', default: '3' },
    delay: { type: 'string', default: '0' },
    /** A JPEG to grade instead of the 420 px fixture, e.g. a 4752×3168 camera photo. */
    photo: { type: 'string' },
    /** A Chromium trace of V8's wasm compilation during this visit (load to last grading). */
    'trace-visit': { type: 'string', default: '0' },
    'trace-out': { type: 'string', default: 'build/reports/measure-visits-trace.json' },
    // Without --enable-unsafe-webgpu and --enable-unsafe-swiftshader: Chromium as it runs by default.
    'no-webgpu-flags': { type: 'boolean', default: false },
  },
});
if (values.help) await printUsageAndExit(import.meta.url);
const [visits, idleSeconds, gradings, delaySeconds] = [values.visits, values.idle, values.gradings, values.delay].map(
  Number,
) as [number, number, number, number];

const fixture = await jpegPhoto(values.photo ?? FUNDUS_FIXTURE);
const server = await startBuiltServer();
const browser = await launchChromium([], { webgpu: !values['no-webgpu-flags'] });
try {
  const context = await browser.newContext();
  const url = `${server.url}/?backend=${values.backend}&model=${values.model}`;
  console.log(
    `First gradings ${delaySeconds} s after "Model ready", model ${values.model}, backend ${values.backend}; ${idleSeconds} s idle after each visit`,
  );
  console.log(
    `${fixture.name}: TF.js + ORT inference per grading, ms (chosen → preview shown, click → result shown, click → saved, s)`,
  );
  for (let visit = 1; visit <= visits; visit++) {
    const page = await context.newPage();
    const traced = visit === Number(values['trace-visit']);
    if (traced)
      await browser.startTracing(page, {
        path: values['trace-out'],
        categories: ['v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'v8', 'blink.user_timing'],
      });
    const started = performance.now();
    await page.goto(url);
    await waitForApp(page, { offline: visit === 1, timeout: 300_000 });
    const readySeconds = (performance.now() - started) / 1000;
    const runs: string[] = [];
    await page.waitForTimeout(delaySeconds * 1000);
    for (let i = 0; i < gradings; i++) {
      // Wall time from Node: it includes handing the file to the page.
      const choosing = performance.now();
      await choosePhoto(page, fixture, { timeout: 120_000 });
      const previewSeconds = (performance.now() - choosing) / 1000;
      await gradeButtonEnabled(page);
      const { tfjsMs, ortMs, shownMs, wallMs } = await timeGrading(page);
      runs.push(
        `${tfjsMs.toFixed(0)} + ${ortMs.toFixed(0)} (${previewSeconds.toFixed(2)}, ${(shownMs / 1000).toFixed(2)}, ${(wallMs / 1000).toFixed(2)})`,
      );
    }
    if (traced) await browser.stopTracing();
    console.log(
      `  visit ${visit}: ready after ${readySeconds.toFixed(1)} s${visit === 1 ? ' (and stored for offline use)' : ''}; ${runs.join(', ')}`,
    );
    await page.waitForTimeout(idleSeconds * 1000);
    await page.close();
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
