// Serves the built dist/ with the built server (build/server.mjs) and drives Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../tools/chromium.mjs';

export interface RunningServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<number | null>;
}

/** Serves `root` (default dist/) with the built server on a free port. */
export async function startBuiltServer({ root = 'dist' } = {}): Promise<RunningServer> {
  if (!existsSync(`${root}/index.html`) || !existsSync('build/server.mjs')) {
    throw new Error(`${root}/ or build/server.mjs missing: run \`npm run build\` first (npm test does)`);
  }
  const child = spawn(process.execPath, ['build/server.mjs', '--port', '0', '--root', root, '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 15000);
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /serving .* on (http:\/\/[^\s]+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace('127.0.0.1', 'localhost'));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${seen}`)));
  });
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** `extraArgs`: more Chromium switches, for measurements (e.g. V8 flags); the tests use none. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...chromiumArgs({ userDataDir: false }), ...extraArgs],
  });
}

/** Collects CSP violations and uncaught errors from every page of a context. */
export async function watchPageProblems(context: BrowserContext): Promise<string[]> {
  const problems: string[] = [];
  await context.exposeFunction('__reportProblem', (text: string) => problems.push(text));
  await context.addInitScript(() => {
    const report = (globalThis as unknown as { __reportProblem(text: string): void }).__reportProblem;
    document.addEventListener('securitypolicyviolation', (e) =>
      report(`CSP: ${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  });
  context.on('page', (page) => page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`)));
  return problems;
}
