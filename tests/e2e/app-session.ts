// The built app, served and opened in Chromium for one end-to-end suite. Apart from built-app.ts because
// the measuring scripts import that module and must not load node:test.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, startBuiltServer, watchPageProblems, type RunningServer } from './built-app.js';

export interface BuiltAppSession {
  /** The built server, serving dist/ or the suite's `root`. */
  readonly server: RunningServer;
  readonly browser: Browser;
  /** The suite's context: its pages' CSP violations and uncaught errors go to `problems`. */
  readonly context: BrowserContext;
  readonly problems: readonly string[];
  /** Adds the test that `context` saw no CSP violation and no page error: call it after the suite's other tests. */
  itHasNoPageProblems(): void;
}

export interface BuiltAppOptions {
  /** The folder served instead of dist/ (a copy a test changes like a deploy would). */
  root?: string;
  /** The viewport of the suite's context; Playwright's default without it. */
  viewport?: { width: number; height: number };
}

/**
 * Registers the enclosing suite's hooks: before its tests, starts the built server, Chromium and a
 * context that watches for page problems; after them, closes the browser and checks that the server
 * exits 0 on SIGTERM. The accessors throw when read before the suite's `before` hooks ran.
 */
export function useBuiltApp({ root, viewport }: BuiltAppOptions = {}): BuiltAppSession {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let problems: string[] | undefined;

  before(async () => {
    server = await startBuiltServer(root === undefined ? {} : { root });
    browser = await launchChromium();
    context = await browser.newContext(viewport ? { viewport } : {});
    problems = await watchPageProblems(context);
  });

  after(async () => {
    await browser?.close();
    assert.equal(await server?.stop(), 0, 'server exits 0 on SIGTERM');
  });

  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the built app's ${name} is not started yet: read it in a test or hook`);
    return value;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    get context() {
      return started(context, 'context');
    },
    get problems() {
      return started(problems, 'problems');
    },
    itHasNoPageProblems() {
      it('violates no Content-Security-Policy directive and throws no page error', () => {
        assert.deepEqual(problems, []);
      });
    },
  };
}
