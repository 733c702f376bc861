import type { BenchReport, ConfigResult } from './bench-types.js';

/**
 * What bench.html reports while it runs, to the CLI driving it headless: the page calls
 * `window.__benchEvent(event)` when that function exists (Playwright's exposeFunction installs it).
 */
export type BenchPageEvent =
  | { type: 'progress'; key: string; text: string }
  | { type: 'result'; result: ConfigResult }
  | { type: 'done'; report: BenchReport }
  | { type: 'error'; message: string };

export const BENCH_EVENT_HOOK = '__benchEvent';
