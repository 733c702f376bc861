import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the bench CLI with tsx; resolves with its exit code and output whatever the code. */
export async function benchCli(args: string[], timeoutMs: number): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/bench/cli.ts', ...args], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number | null; signal?: string; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: `${e.stderr}${e.signal ? `\n(killed: ${e.signal})` : ''}` };
  }
}
