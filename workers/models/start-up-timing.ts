/**
 * User Timing spans of the start path (runtimes brought up, model files read, models built, warm-up
 * runs), named `fg:<runtime>:<stage>`. They cost a timestamp each and show in a Chromium trace
 * (category blink.user_timing) and in DevTools' performance panel on the thread that did the work,
 * which is how the start path's time is read (tests/e2e/measure-ready.ts, docs/performance.md). Only
 * the start path is measured: it runs a few times per page, so the timeline buffer stays small.
 */

export const START_UP_SPAN_PREFIX = 'fg:';

/** Runs `work`, and records its span under `fg:<name>` whether it succeeds or not. */
export async function timedSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    markSpan(name, start);
  }
}

/** Records a span from `start` (performance.now() of this thread) until now. */
export function markSpan(name: string, start: number): void {
  try {
    performance.measure(`${START_UP_SPAN_PREFIX}${name}`, { start, end: performance.now() });
  } catch {
    // A timeline without User Timing (some test environments) loses only the span.
  }
}
