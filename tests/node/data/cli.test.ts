import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './support/fixtures.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = ['--import', 'tsx', 'src/pipeline/cli/data.ts'];
const run = (node: string, args: string[]): Promise<{ stdout: string; stderr: string }> => execFileAsync(node, args, { cwd: root, encoding: 'utf8' });

describe('data CLI', () => {
  it('prints help', async () => {
    const { stdout } = await run(process.execPath, [...CLI, '--help']);
    assert.match(stdout, /--balance MODE\s+eyepacs/);
  });

  it('writes a small dataset and reports what it wrote', async (t) => {
    const out = await tempDir(t);
    const { stdout } = await run(process.execPath, [...CLI, '--out', out, '--count', '6', '--size', '64', '--balance', 'balanced', '--format', 'png', '--seed', '4']);
    assert.match(stdout, /6\/6 \(6 written, 0 already there/);
    const files = (await readdir(out)).sort();
    assert.deepEqual(files.filter((f) => f.endsWith('.png') && /_(left|right)/.test(f)).length, 6);
    for (const name of ['trainLabels.csv', 'lesions.csv', 'contact-sheet.png', 'class-distribution.png', 'synthetic.json']) assert.ok(files.includes(name), name);
  });

  it('exits 2 with a message on a bad option value', async () => {
    await assert.rejects(run(process.execPath, [...CLI, '--balance', 'even']), (e: { code?: number; stderr?: string }) => e.code === 2 && /--balance must be one of eyepacs, balanced/.test(e.stderr ?? ''));
  });
});
