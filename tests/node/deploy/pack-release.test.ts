import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { PACK_RELEASE, SERVER_MAIN } from './support/paths.js';
import { bundleServer, packRelease, writeFakeApp } from './support/release-fixture.js';

const run = promisify(execFile);

describe('pack-release', () => {
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'fg-deploy-pack-'));
    await bundleServer(join(work, 'server.mjs'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('the server, bundled as build.mjs does it, imports nothing but node: built-ins', async () => {
    const result = await esbuild.build({
      entryPoints: [SERVER_MAIN],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      metafile: true,
      outdir: work,
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.outputs).flatMap((output) =>
      output.imports.map((entry) => entry.path),
    );
    assert.ok(imports.length > 0);
    assert.deepEqual(
      imports.filter((path) => !path.startsWith('node:')),
      [],
    );
  });

  test('packs exactly the server, package.json, RELEASE, dist/ and the instance kit, root-owned, no links', async () => {
    const { tarball } = await packRelease(work, join(work, 'server.mjs'), 'packed');
    const { stdout } = await run('tar', ['-tvzf', tarball, '--numeric-owner']);
    const entries = stdout.trim().split('\n');
    const names = entries.map((line) => line.split(/\s+/).at(-1) ?? '');
    const topLevel = [...new Set(names.map((name) => name.split('/')[0]))].sort();
    assert.deepEqual(topLevel, ['RELEASE', 'deploy', 'dist', 'package.json', 'server.mjs']);
    for (const file of ['deploy/instance/setup.sh', 'deploy/instance/fundus-grader-release', 'dist/index.html']) {
      assert.ok(names.includes(file), file);
    }
    assert.ok(
      entries.every((line) => / 0\/0 /.test(line)),
      'owner 0/0',
    );
    assert.ok(
      entries.every((line) => !line.startsWith('l')),
      'no symlinks',
    );
    const { stdout: release } = await run('tar', ['-xzOf', tarball, 'RELEASE']);
    assert.match(release, /^id=packed\ncommit=\S+\npacked=\d{4}-\d\d-\d\dT/);
  });

  test('refuses a server bundle that imports a package the instance will not have', async () => {
    const dist = join(work, 'dist-import');
    await writeFakeApp(dist, 'x');
    const bundle = join(work, 'with-import.mjs');
    await writeFile(
      bundle,
      'import { readFile } from "node:fs";\nimport { html } from "lit";\nexport { readFile, html };\n',
    );
    await assert.rejects(
      run(PACK_RELEASE, ['--out', join(work, 'x.tar.gz'), '--id', 'x', '--dist', dist, '--server', bundle]),
      (error: { stderr: string }) => /imports packages the instance does not have: lit$/m.test(error.stderr),
    );
  });

  test('refuses to pack without a built app', async () => {
    await assert.rejects(
      run(PACK_RELEASE, [
        '--out',
        join(work, 'y.tar.gz'),
        '--id',
        'y',
        '--dist',
        join(work, 'nothing'),
        '--server',
        join(work, 'server.mjs'),
      ]),
      (error: { stderr: string }) => /index\.html is missing: run 'node build\.mjs' first/.test(error.stderr),
    );
  });
});
