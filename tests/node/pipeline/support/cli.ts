import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  out: string;
}

/** Runs src/pipeline/cli/<script> with tsx; resolves with its exit code and output whatever the code. */
export async function cli(script: string, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `src/pipeline/cli/${script}`, ...args], {
      timeout: timeoutMs,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const tempDirs: string[] = [];
// Registered at import, on the file's root: an after() registered inside a hook would run when that hook ends.
after(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A fresh temp folder, removed when the test file finishes. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `fg-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}
