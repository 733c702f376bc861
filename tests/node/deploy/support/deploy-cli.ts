import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEPLOY_CLI } from './paths.js';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The `aws …` calls it printed (dry run), without the leading "+ ". */
  readonly awsCalls: string[];
  /** How often a real `aws` was started: must stay 0 in a dry run and on bad input. */
  readonly awsInvocations: number;
}

/**
 * Runs deploy/fundus-deploy with a booby-trapped `aws` first on PATH, so any call that escapes
 * --dry-run or input validation is counted (and fails) instead of reaching AWS.
 */
export function runDeployCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const trap = mkdtempSync(join(tmpdir(), 'fg-deploy-cli-'));
  try {
    const log = join(trap, 'aws-calls');
    writeFileSync(join(trap, 'aws'), `#!/bin/sh\necho "$*" >> '${log}'\nexit 99\n`);
    chmodSync(join(trap, 'aws'), 0o755);
    const baseEnv = { ...process.env };
    delete baseEnv['AWS_REGION'];
    delete baseEnv['AWS_DEFAULT_REGION'];
    const result = spawnSync(DEPLOY_CLI, args, {
      env: { ...baseEnv, PATH: `${trap}:${process.env['PATH'] ?? ''}`, ...env },
      encoding: 'utf8',
    });
    const invocations = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
    return {
      code: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      awsCalls: result.stdout
        .split('\n')
        .filter((line) => line.startsWith('+ aws '))
        .map((line) => line.slice(2)),
      awsInvocations: invocations,
    };
  } finally {
    rmSync(trap, { recursive: true, force: true });
  }
}

/** "aws --region r ssm send-command …" → "ssm send-command". */
export const awsOperation = (call: string): string => {
  const words = call.split(' ');
  const at = words.indexOf('--region');
  return words.slice(at + 2, at + 4).join(' ');
};

/** The script a dry run prints for the instance, between its markers. */
export function printedScript(stdout: string): string {
  const match = /^--- script for '[^']*' \(runs as root on the instance\) ---\n([\s\S]*?)\n---$/m.exec(stdout);
  if (!match?.[1]) throw new Error(`no script in:\n${stdout}`);
  return match[1];
}
