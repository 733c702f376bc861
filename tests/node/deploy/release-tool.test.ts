import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startLoopbackInstance, type LoopbackInstance } from './support/loopback-instance.js';
import { bundleServer, packRelease, type PackedRelease } from './support/release-fixture.js';

// fundus-grader-release on its own (no proxy, no settle time): bookkeeping and refusals.
describe('fundus-grader-release', { timeout: 60_000 }, () => {
  let work: string;
  let instance: LoopbackInstance;
  let release: PackedRelease;

  const base = (): string => join(instance.root, 'opt/fundus-grader');
  const releases = async (): Promise<string[]> => (await readdir(join(base(), 'releases'))).sort();
  const link = (name: string): Promise<string> => readlink(join(base(), name));
  const install = async (id: string): Promise<void> => {
    const result = await instance.release('install', release.tarball, id);
    assert.equal(result.code, 0, result.stderr);
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'fg-deploy-tool-'));
    await bundleServer(join(work, 'server.mjs'));
    release = await packRelease(work, join(work, 'server.mjs'), 'fixture');
    instance = await startLoopbackInstance({ proxy: false, settleSeconds: 0 });
  });
  after(async () => {
    await instance?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('refuses ids that could leave the releases folder, and leaves nothing behind', async () => {
    for (const id of ['../escape', '.hidden', 'a/b', '']) {
      const result = await instance.release('install', release.tarball, id);
      assert.equal(result.code, 1, `id '${id}'`);
      assert.match(result.stderr, /bad release id/);
    }
    assert.deepEqual(await releases(), []);
  });

  test('refuses a tarball that is not a release; no half-unpacked folder stays', async () => {
    const notARelease = join(work, 'not-a-release.tar.gz');
    await writeFile(join(work, 'note.txt'), 'hello');
    execFileSync('tar', ['-czf', notARelease, '-C', work, 'note.txt']);
    const result = await instance.release('install', notARelease, '20260101T000000Z-x');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not a release: server\.mjs is missing/);
    assert.deepEqual(await releases(), []);
    assert.deepEqual(instance.systemd.runningPorts(), []);
  });

  test('rollback and activate need something to switch to', async () => {
    assert.match((await instance.release('rollback')).stderr, /no previous release/);
    assert.match((await instance.release('activate', '20990101T000000Z-none')).stderr, /is not installed/);
  });

  test('alternates slots, keeps current and previous, enables only the serving slot', async () => {
    const [slotA, slotB] = instance.slots;
    await install('20260101T000000Z-r1');
    assert.deepEqual(instance.systemd.runningPorts(), [slotA]);
    await install('20260102T000000Z-r2');
    assert.deepEqual(instance.systemd.runningPorts(), [slotB]);
    assert.equal(await link('current'), 'releases/20260102T000000Z-r2');
    assert.equal(await link('previous'), 'releases/20260101T000000Z-r1');
    assert.equal(await link(`slots/${slotB}`), '../releases/20260102T000000Z-r2');
    assert.deepEqual(instance.systemd.calls.slice(-3), [
      `restart fundus-grader@${slotB}.service`,
      `enable --quiet fundus-grader@${slotB}.service`,
      `disable --quiet --now fundus-grader@${slotA}.service`,
    ]);
    const status = await instance.release('status');
    assert.match(status.stdout, /current: +20260102T000000Z-r2\nprevious: +20260101T000000Z-r1\nslot: +\d+\n/);
  });

  test('installing the release that already serves changes nothing', async () => {
    const calls = instance.systemd.calls.length;
    await install('20260102T000000Z-r2');
    assert.equal(instance.systemd.calls.length, calls);
  });

  test('keeps the five newest releases, plus current and previous whatever their age', async () => {
    for (const day of ['03', '04', '05', '06', '07']) await install(`202601${day}T000000Z-r`);
    assert.deepEqual(
      await releases(),
      ['03', '04', '05', '06', '07'].map((day) => `202601${day}T000000Z-r`),
    );

    const activated = await instance.release('activate', '20260103T000000Z-r');
    assert.equal(activated.code, 0, activated.stderr);
    await install('20260108T000000Z-r');
    // 03 is older than the five newest but is the previous release now: rollback needs it.
    assert.deepEqual(
      await releases(),
      ['03', '04', '05', '06', '07', '08'].map((day) => `202601${day}T000000Z-r`),
    );
    assert.equal(await link('previous'), 'releases/20260103T000000Z-r');
    const rolledBack = await instance.release('rollback');
    assert.equal(rolledBack.code, 0, rolledBack.stderr);
    assert.equal(await link('current'), 'releases/20260103T000000Z-r');
    assert.equal(instance.systemd.runningPorts().length, 1);
  });
});
