import assert from 'node:assert/strict';
import { mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireTool } from './support/debian-tool.js';
import { startLoopbackInstance, type LoopbackInstance } from './support/loopback-instance.js';
import { startPageLoads, type LoadReport } from './support/page-load.js';
import { bundleServer, packRelease, type PackedRelease } from './support/release-fixture.js';

const skip = requireTool('caddy');
const BROWSERS = 4;

describe('release switch behind Caddy under continuous page loads', { skip: skip ?? false, timeout: 60_000 }, () => {
  let work: string;
  let instance: LoopbackInstance;
  let releaseA: PackedRelease;
  let releaseB: PackedRelease;
  let broken: PackedRelease;

  /**
   * Runs `action` while browsers keep loading the app, waits until a fresh page load shows
   * `servedAfter` (Caddy notices a stopped slot within its 1 s health interval), lets the
   * browsers go on a little longer, and returns what they saw.
   */
  async function underLoad(action: () => Promise<void>, servedAfter: string): Promise<LoadReport> {
    const load = startPageLoads(instance.httpsPort, instance.ca, BROWSERS);
    try {
      await sleep(300);
      await action();
      const deadline = Date.now() + 5000;
      while (!(await instance.get('/')).body.toString().includes(`<title>${servedAfter}</title>`)) {
        assert.ok(Date.now() < deadline, `${servedAfter} not served 5 s after the switch`);
        await sleep(50);
      }
      await sleep(300);
    } catch (error) {
      await load.stop(); // a failed action must not leave the browsers looping
      throw error;
    }
    return load.stop();
  }

  /** `lb_policy first`: each browser sees the old release, then only the new one, never back and forth. */
  function assertOneSwitch(report: LoadReport, from: string, to: string): void {
    for (const labels of report.browsers) {
      const firstNew = labels.indexOf(to);
      assert.ok(firstNew > 0, `a browser saw ${from} then ${to}: ${labels.join(' ')}`);
      assert.ok(labels.slice(0, firstNew).every((label) => label === from));
      assert.ok(
        labels.slice(firstNew).every((label) => label === to),
        `back to ${from} after ${to}`,
      );
    }
  }

  const currentRelease = async (): Promise<string> => readlink(join(instance.root, 'opt/fundus-grader/current'));

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'fg-deploy-switch-'));
    const server = join(work, 'server.mjs');
    await bundleServer(server);
    releaseA = await packRelease(work, server, '20260101T000000Z-aaaaaaa');
    releaseB = await packRelease(work, server, '20260102T000000Z-bbbbbbb');
    // Starts, then exits at once: never healthy.
    const crashing = join(work, 'crashing-server.mjs');
    await writeFile(crashing, "process.stderr.write('cannot start\\n');\nprocess.exit(1);\n");
    broken = await packRelease(work, crashing, '20260103T000000Z-ccccccc');
    instance = await startLoopbackInstance({ healthTimeoutSeconds: 3 });
    const first = await instance.release('install', releaseA.tarball, releaseA.app.label);
    assert.equal(first.code, 0, first.stderr);
  });
  after(async () => {
    await instance?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('installing a new release: no failed request, traffic moves over, the old process stops', async (t) => {
    const report = await underLoad(async () => {
      const result = await instance.release('install', releaseB.tarball, releaseB.app.label);
      assert.equal(result.code, 0, result.stderr);
    }, releaseB.app.label);
    assert.deepEqual(report.failures, []);
    assert.ok(report.pageLoads >= 20, `only ${report.pageLoads} page loads`);
    t.diagnostic(`${report.pageLoads} page loads, the slowest ${Math.round(report.slowestMs)} ms`);
    assertOneSwitch(report, releaseA.app.label, releaseB.app.label);

    assert.equal(await currentRelease(), `releases/${releaseB.app.label}`);
    assert.equal(instance.systemd.runningPorts().length, 1, 'one server process after the switch');
    const health = JSON.parse((await instance.get('/healthz')).body.toString()) as { version: string };
    assert.equal(health.version, releaseB.app.version);
  });

  test('a page of the previous release still gets its hashed script and model files', async () => {
    const script = await instance.get(releaseA.app.scriptPath);
    assert.equal(script.status, 200);
    assert.equal(script.body.toString(), releaseA.app.scriptBody);
    const weights = await instance.get(`/models/demo/${releaseA.app.label}/weights.bin`);
    assert.equal(weights.status, 200);
    // Files that are not immutable come from the new release only.
    assert.match((await instance.get('/models/manifest.json')).body.toString(), new RegExp(releaseB.app.label));
  });

  test('rollback: back to the previous release, again with no failed request', async (t) => {
    const report = await underLoad(async () => {
      const result = await instance.release('rollback');
      assert.equal(result.code, 0, result.stderr);
    }, releaseA.app.label);
    assert.deepEqual(report.failures, []);
    t.diagnostic(`${report.pageLoads} page loads, the slowest ${Math.round(report.slowestMs)} ms`);
    assertOneSwitch(report, releaseB.app.label, releaseA.app.label);
    assert.equal(await currentRelease(), `releases/${releaseA.app.label}`);
    assert.equal(await readlink(join(instance.root, 'opt/fundus-grader/previous')), `releases/${releaseB.app.label}`);
    assert.equal(instance.systemd.runningPorts().length, 1);
    // Pages of B loaded just before the rollback still get their script.
    assert.equal((await instance.get(releaseB.app.scriptPath)).body.toString(), releaseB.app.scriptBody);
  });

  test('a release that never answers /healthz is stopped again; the running one keeps serving', async () => {
    let result = { code: 0, stderr: '' };
    const report = await underLoad(async () => {
      result = await instance.release('install', broken.tarball, broken.app.label);
    }, releaseA.app.label);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /did not answer \/healthz .* traffic stays where it was/);
    assert.deepEqual(report.failures, []);
    assert.ok(report.browsers.flat().every((label) => label === releaseA.app.label));
    assert.equal(await currentRelease(), `releases/${releaseA.app.label}`);
    assert.equal(instance.systemd.runningPorts().length, 1);
  });
});
