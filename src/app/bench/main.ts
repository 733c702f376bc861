/**
 * The bench page's entry. With `?autorun=<options>` the benchmark starts at once and reports to
 * `window.__benchEvent` when the CLI driving the page has installed it.
 */
import { BENCH_EVENT_HOOK, type BenchPageEvent } from '../../shared/bench/bench-page-events.js';
import { autorunOptions } from './autorun-options.js';
import './fg-bench-app.js';

const app = document.querySelector('fg-bench-app');
const hook = (window as unknown as Record<string, ((event: BenchPageEvent) => void) | undefined>)[BENCH_EVENT_HOOK];

function report(event: BenchPageEvent): void {
  hook?.(event);
}

if (app) {
  app.addEventListener('fg-bench-progress', (e) => report({ type: 'progress', ...e.detail }));
  app.addEventListener('fg-bench-result', (e) => report({ type: 'result', result: e.detail }));
  app.addEventListener('fg-bench-done', (e) => report({ type: 'done', report: e.detail }));
  app.addEventListener('fg-bench-error', (e) => report({ type: 'error', message: e.detail }));
  try {
    const options = autorunOptions(location.search);
    if (options) await app.updateComplete.then(() => app.run(options)).catch(() => undefined);
  } catch (error) {
    report({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}
