/**
 * Runs the bench page headless: Debian's Chromium through playwright-core (no browser download),
 * bench.html?autorun=<options>, and the page's events collected through an exposed function.
 */
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../tools/chromium.mjs';
import { BENCH_EVENT_HOOK, type BenchPageEvent } from '../shared/bench/bench-page-events.js';
import type { BenchOptions, BenchReport, ConfigResult } from '../shared/bench/bench-types.js';

export interface PageRunHooks {
  progress(key: string, text: string): void;
  result(result: ConfigResult): void;
}

/** Chromium answers measureUserAgentSpecificMemory at once instead of after its next GC (up to 20 s). */
const EAGER_MEMORY = '--enable-blink-features=ForceEagerMeasureMemory';

export function autorunUrl(origin: string, options: BenchOptions): string {
  return `${origin}/bench.html?autorun=${Buffer.from(JSON.stringify(options)).toString('base64url')}`;
}

export async function runInChromium(origin: string, options: BenchOptions, hooks: PageRunHooks): Promise<BenchReport> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...chromiumArgs({ userDataDir: false }), EAGER_MEMORY],
  });
  try {
    const page = await browser.newPage();
    let settle!: { resolve(report: BenchReport): void; reject(error: Error): void };
    const done = new Promise<BenchReport>((resolve, reject) => (settle = { resolve, reject }));
    page.on('pageerror', (error) => settle.reject(new Error(`bench page error: ${error.message}`)));
    page.on('crash', () => settle.reject(new Error('the bench page crashed (out of memory?)')));
    // Installed before navigation, so it exists when the page's script starts.
    await page.exposeFunction(BENCH_EVENT_HOOK, (event: BenchPageEvent) => {
      if (event.type === 'progress') hooks.progress(event.key, event.text);
      else if (event.type === 'result') hooks.result(event.result);
      else if (event.type === 'done') settle.resolve(event.report);
      else settle.reject(new Error(`bench page: ${event.message}`));
    });
    await page.goto(autorunUrl(origin, options));
    return await done;
  } finally {
    await browser.close();
  }
}
