// What the measuring scripts (tests/e2e/measure-*.ts) share: their usage text, their figures' format,
// and a grading timed in the page.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Page } from 'playwright-core';
import type { TimedScreening } from './screening-page.js';

/** Prints the script's usage, which is its opening comment, and exits. */
export async function printUsageAndExit(scriptUrl: string): Promise<never> {
  const source = await readFile(new URL(scriptUrl), 'utf8');
  const opening = /\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!opening) throw new Error(`${scriptUrl} opens with no /** usage */ comment`);
  console.log(opening[1]!.replace(/^ \* ?/gm, '').trim());
  process.exit(0);
}

/** The upper median: an element of the runs, never an average of two. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds in a column ten characters wide. */
export const ms = (x: number): string => `${x.toFixed(1)} ms`.padStart(10);

export interface JpegPhoto {
  name: string;
  mimeType: 'image/jpeg';
  buffer: Buffer;
}

/** A JPEG file as the photo picker is handed it. */
export async function jpegPhoto(path: string): Promise<JpegPhoto> {
  return { name: basename(path), mimeType: 'image/jpeg', buffer: await readFile(path) };
}

/** Resolves once the right eye's Grade button can be clicked (its photo chosen and read). */
export async function gradeButtonEnabled(page: Page): Promise<void> {
  await page.locator('fg-eye-panel[eye=right] fg-screening-form button[data-grade]:not([disabled])').waitFor();
}

export interface TimedGrading {
  tfjsMs: number;
  ortMs: number;
  /** Each variant's backend, "tfjs/ort". */
  backends: string;
  /** Click → the result drawn (the frame that shows it). */
  shownMs: number;
  /** Click → the graded record saved, the page's wall time. */
  wallMs: number;
  /** The main thread's longest task from the click until saved (0: none over 50 ms); null where not watched. */
  longestTaskMs: number | null;
}

/**
 * Clicks the right eye's Grade button (see gradeButtonEnabled) from inside the page and times the
 * grading there. `watchLongTasks`: also the main thread's long tasks (PerformanceObserver 'longtask'),
 * which costs a wait of 100 ms after the record is saved, for the last task's report.
 */
export async function timeGrading(page: Page, { watchLongTasks = false } = {}): Promise<TimedGrading> {
  // No named functions in the page's code: tsx would wrap them in a __name() helper the page lacks.
  return page.evaluate(async (watch) => {
    const longTasks: number[] = [];
    const observer = watch
      ? new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)))
      : null;
    observer?.observe({ type: 'longtask' });
    const app = document.querySelector('fg-app')!;
    const saved = new Promise<CustomEvent<TimedScreening>>((resolve) =>
      // The graded record: a photo that fails the quality gate was saved as ungraded before.
      app.addEventListener('fg-screening-saved', (e) => {
        if ((e as CustomEvent<{ kind: string }>).detail.kind === 'graded') resolve(e as CustomEvent<TimedScreening>);
      }),
    );
    const panel = app.shadowRoot!.querySelector('fg-eye-panel[eye=right]')!.shadowRoot!;
    // The result on screen: the right eye's result view holding a new result, in the frame that draws it.
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
    if (observer) {
      // Long tasks are reported after they end: let the observer catch up.
      await new Promise((resolve) => setTimeout(resolve, 100));
      observer.disconnect();
    }
    return {
      tfjsMs: detail.tfjs.ms,
      ortMs: detail.ort.ms,
      backends: `${detail.tfjs.backend}/${detail.ort.backend}`,
      shownMs,
      wallMs,
      longestTaskMs: observer ? Math.max(0, ...longTasks) : null,
    };
  }, watchLongTasks);
}
