import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../../src/server/main.ts', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal that killed it). */
  readonly exited: Promise<number | NodeJS.Signals>;
}

/** Another user to run the CLI as (spawning as another user needs root). */
export interface CliUser {
  readonly uid: number;
  readonly gid: number;
}

/** Runs the CLI exactly as documented (`node --import tsx src/server/main.ts`) and waits until it listens. */
export async function startCli(args: readonly string[], timeoutMs = 15_000, user?: CliUser): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--host', '127.0.0.1', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | NodeJS.Signals);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`CLI did not start: ${stderr}`)), timeoutMs);
    const check = (): void => {
      const match = / on https?:\/\/[^\s]+:(\d+)\n/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        child.stderr.off('data', check);
        resolve(Number(match[1]));
      }
    };
    const fail = (error: Error): void => {
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr.on('data', check);
    void exited.then((code) => fail(new Error(`CLI exited (${String(code)}) before listening: ${stderr}`)));
  });
  return { child, port, stdout: () => stdout, stderr: () => stderr, exited };
}
