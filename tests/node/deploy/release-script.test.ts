import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from '../server/support/http-client.js';
import { printedScript, runDeployCli } from './support/deploy-cli.js';
import { startLoopbackInstance, type LoopbackInstance } from './support/loopback-instance.js';
import { bundleServer, packRelease, type PackedRelease } from './support/release-fixture.js';

/**
 * The script `fundus-deploy release --dry-run` prints is what SSM (or ssh) runs on the instance.
 * Here it runs for real against a scratch root, with the three values only AWS could supply
 * filled in: the presigned URL (a file:// URL to a packed release), its hash and the domain.
 */
describe('the printed release script, run against a scratch root', { timeout: 60_000 }, () => {
  let work: string;
  let instance: LoopbackInstance;
  let release: PackedRelease;
  let script: string;
  let id: string;

  const fill = (sha: string): string =>
    script
      .replace("'{presigned-url}'", `'file://${release.tarball}'`)
      .replace("'{sha256}'", sha)
      .replace("'{DomainName}'", 'grader.example.org');
  // Asynchronous: the fake systemd answering the release tool lives in this very process.
  const runScript = (text: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile('bash', ['-c', text], { env: instance.env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const releasesDir = (): string => join(instance.root, 'opt/fundus-grader/releases');

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'fg-deploy-script-'));
    await bundleServer(join(work, 'server.mjs'));
    release = await packRelease(work, join(work, 'server.mjs'), 'from-cli');
    const dryRun = runDeployCli(['release', '--dry-run', '--region', 'us-east-1', '--skip-build']);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    script = printedScript(dryRun.stdout);
    id = /^fundus-grader-release install "\$work\/release\.tar\.gz" (\S+)$/m.exec(script)?.[1] ?? '';
    assert.match(id, /^\d{8}T\d{6}Z-\w+$/);
    instance = await startLoopbackInstance({ proxy: false, settleSeconds: 0 });
  });
  after(async () => {
    await instance?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('a download whose hash does not match stops before anything is installed', async () => {
    const result = await runScript(fill('0'.repeat(64)));
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /FAILED/);
    assert.deepEqual(await readdir(releasesDir()), []);
  });

  test('downloads, checks, converges the instance with the bundled setup.sh, installs and serves', async () => {
    const sha = createHash('sha256')
      .update(await readFile(release.tarball))
      .digest('hex');
    const result = await runScript(fill(sha));
    assert.equal(result.code, 0, result.stderr);
    // setup.sh already ran when the instance was made: the bundled kit is the same, so nothing changes.
    assert.match(result.stdout, /setup done: 0 file\(s\) changed/);
    assert.match(result.stdout, new RegExp(`serving ${id} from port \\d+`));
    assert.equal(await readlink(join(instance.root, 'opt/fundus-grader/current')), `releases/${id}`);

    const [port] = instance.systemd.runningPorts();
    assert.ok(port !== undefined);
    const health = await request(port, '/healthz');
    assert.equal((JSON.parse(health.body.toString()) as { version: string }).version, release.app.version);
    assert.match((await request(port, '/')).body.toString(), /<title>from-cli<\/title>/);
  });
});
