import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Spawning the real-photo CLIs (pretrained, cross-validate, train-real, pipeline-real) with stdout
 * and stderr kept apart. Each spawn costs a few seconds (tfjs loads at import), so cases run two at a time.
 */

const execFileAsync = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(script: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', `src/pipeline/cli/${script}`, ...args],
      {
        cwd: ROOT,
        timeout: 30_000,
        ...(env ? { env } : {}),
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs every case, two at a time, and returns the runs in order. */
export async function cliAll(script: string, cases: ReadonlyArray<readonly string[]>): Promise<Run[]> {
  const results: Run[] = new Array<Run>(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await cli(script, cases[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

/** Exit 2, the message on stderr followed by the script's usage line, nothing on stdout, no stack trace. */
export function assertUsageError(run: Run, script: string, message: RegExp, what: string): void {
  const name = script.replace(/\./g, '\\.');
  assert.equal(run.code, 2, `${what}: ${run.stdout}${run.stderr}`);
  assert.match(run.stderr, message, what);
  assert.match(run.stderr, new RegExp(`^usage: ${name} `, 'm'), `${what}: usage line on stderr`);
  assert.equal(run.stdout, '', `${what}: nothing on stdout`);
  assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/, `${what}: no stack trace`);
}

export function assertHelp(run: Run, script: string, options: readonly string[]): void {
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    new RegExp(`^Usage: node --import tsx src/pipeline/cli/${script.replace(/\./g, '\\.')}`, 'm'),
  );
  for (const option of options)
    assert.match(run.stdout, new RegExp(`^  ${option}\\b`, 'm'), `${script} --help documents ${option}`);
  assert.equal(run.stderr, '');
}

export const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
