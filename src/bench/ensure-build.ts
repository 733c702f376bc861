/**
 * Builds dist/ (node build.mjs) when it is missing or older than anything it is built from, so that
 * the benchmark never measures yesterday's code.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, repoPath } from './repo-paths.js';

/** Everything build.mjs reads. */
const BUILD_INPUTS = [
  'src/app',
  'src/shared',
  'workers',
  'static',
  'models',
  'tools',
  'build.mjs',
  'package-lock.json',
];
/** What the benchmark needs from a build. */
const BUILD_OUTPUTS = ['dist/bench.html', 'build/server.mjs'];

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Why dist/ must be rebuilt, or null when it is up to date. */
export async function staleReason(): Promise<string | null> {
  const missing = BUILD_OUTPUTS.find((output) => !existsSync(repoPath(output)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...(await Promise.all(BUILD_OUTPUTS.map((output) => newestMtime(repoPath(output))))));
  for (const input of BUILD_INPUTS) {
    if ((await newestMtime(repoPath(input))) > built) return `${input} changed since the last build`;
  }
  return null;
}

/** Runs node build.mjs; its report is shown only when it fails. */
export function runBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['build.mjs'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`node build.mjs failed (exit ${code}):\n${output.trim().split('\n').slice(-20).join('\n')}`),
          ),
    );
  });
}
