import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LOCKS, lockPort, reservePorts } from './support/reserved-ports.js';

describe('ports reserved for servers that bind later', () => {
  test('lie below the ephemeral range, differ between concurrent reservations, and are freed', async () => {
    const low = Number((await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/)[0]);
    const [a, b] = await Promise.all([reservePorts(4), reservePorts(4)]);
    const all = [...a.ports, ...b.ports];
    assert.equal(new Set(all).size, 8, `overlap: ${all.join(' ')}`);
    assert.ok(
      all.every((port) => port >= 10_000 && port < low),
      all.join(' '),
    );
    const pids = await Promise.all(all.map((port) => readFile(join(LOCKS, String(port), 'pid'), 'utf8')));
    assert.ok(pids.every((pid) => pid === String(process.pid)));
    await Promise.all([a.release(), b.release()]);
    for (const port of all) {
      await assert.rejects(readFile(join(LOCKS, String(port), 'pid')), { code: 'ENOENT' });
    }
  });

  test('a lock held by a live test process is respected; one left by a process that died is taken over', async () => {
    const probe = await reservePorts(1);
    const [port = 0] = probe.ports;
    assert.equal(await lockPort(port), false, 'held by this live process');
    await probe.release();
    // A pid that surely is not running: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    assert.ok(dead !== undefined);
    await mkdir(join(LOCKS, String(port)));
    await writeFile(join(LOCKS, String(port), 'pid'), String(dead));
    assert.equal(await lockPort(port), true);
    assert.equal(await readFile(join(LOCKS, String(port), 'pid'), 'utf8'), String(process.pid));
    await rm(join(LOCKS, String(port)), { recursive: true, force: true });
  });
});
