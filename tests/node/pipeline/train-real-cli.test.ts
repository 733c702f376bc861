import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './support/cli.js';
import { assertHelp, assertUsageError, cliAll } from './support/real-cli.js';

/** Argument handling of train-real.ts: every case stops before any training, data loading or download. */
describe('train-real.ts', () => {
  const script = 'train-real.ts';

  const all = [
    '--pretrained',
    '/nonexistent/p',
    '--cross-validation',
    '/nonexistent/cv',
    '--out',
    '/nonexistent/o',
    '--fp32-out',
    '/nonexistent/f',
  ];

  it('--help prints the usage and exits 0', async () => {
    const [run] = await cliAll(script, [['--help']]);
    assertHelp(run!, script, [
      '--data',
      '--pretrained',
      '--cross-validation',
      '--out',
      '--fp32-out',
      '--id',
      '--seed',
      '--cache',
    ]);
  });

  it('missing required options exit 2', async () => {
    const runs = await cliAll(script, [[], all.slice(0, 6)]);
    assertUsageError(runs[0]!, script, /--pretrained is required/, 'nothing');
    assertUsageError(runs[1]!, script, /--fp32-out is required/, 'no --fp32-out');
  });

  it('an unknown option or a bad seed exits 2', async () => {
    const runs = await cliAll(script, [
      [...all, '--bogus'],
      [...all, '--seed', 'one'],
    ]);
    assertUsageError(runs[0]!, script, /Unknown option '--bogus'/, '--bogus');
    assertUsageError(runs[1]!, script, /--seed must be an integer ≥ 0, got "one"/, '--seed one');
  });

  it('a missing or unusable cross-validation report fails with exit 1 before any training', async () => {
    const dir = await tempDir('train-real');
    const bad = join(dir, 'cv-bad');
    await mkdir(bad);
    await writeFile(join(bad, 'report.json'), JSON.stringify({ recipe: 'nope' }));
    const args = (cv: string) => [
      '--pretrained',
      join(dir, 'p'),
      '--cross-validation',
      cv,
      '--out',
      join(dir, 'o'),
      '--fp32-out',
      join(dir, 'f'),
    ];
    const [missing, unknown] = await cliAll(script, [args(join(dir, 'cv-missing')), args(bad)]);
    assert.equal(missing!.code, 1, missing!.stderr);
    assert.match(missing!.stderr, /cv-missing\/report\.json/);
    assert.doesNotMatch(missing!.stderr, /usage:/);
    assert.equal(unknown!.code, 1, unknown!.stderr);
    assert.match(unknown!.stderr, /cv-bad\/report\.json: unknown recipe nope/);
    assert.deepEqual((await readdir(dir)).sort(), ['cv-bad'], 'nothing written');
  });
});
