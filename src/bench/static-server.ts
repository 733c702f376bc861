import { spawn } from 'node:child_process';
import { REPO_ROOT } from './repo-paths.js';

export interface RunningServer {
  /** Origin, e.g. http://localhost:40123 (localhost: a secure context, as cross-origin isolation needs). */
  url: string;
  stop(): Promise<void>;
}

/** The production server (build/server.mjs) on `root`, on a free loopback port. */
export function startStaticServer(root: string): Promise<RunningServer> {
  const child = spawn(process.execPath, ['build/server.mjs', '--root', root, '--port', '0', '--quiet'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the static server did not start: ${seen}`));
    }, 15_000);
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /serving .* on (http:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!.replace('127.0.0.1', 'localhost'), stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the static server exited (${code}): ${seen}`));
    });
  });
}
