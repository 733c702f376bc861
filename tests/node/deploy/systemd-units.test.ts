import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireTool } from './support/debian-tool.js';
import { SETUP_SCRIPT } from './support/paths.js';

const HOST_UNITS = '/lib/systemd/system';
const skip =
  requireTool('systemd-analyze') ??
  requireTool('caddy') ??
  (existsSync(join(HOST_UNITS, 'caddy.service')) ? undefined : `no ${HOST_UNITS}/caddy.service: apt-get install caddy`);

/**
 * systemd-analyze on the files exactly as setup.sh installs them, in a scratch root that also
 * holds the host's stock units (targets, Debian's caddy.service, the same as Ubuntu's) and stand-ins
 * for the two binaries, which verify checks for.
 */
describe('systemd units as installed', { skip: skip ?? false }, () => {
  let root: string;
  const analyze = (...args: string[]) => {
    const result = spawnSync('systemd-analyze', [...args, `--root=${root}`], { encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fg-deploy-units-'));
    const setup = spawnSync(SETUP_SCRIPT, ['--domain', 'grader.example.org'], {
      env: { ...process.env, FG_ROOT: root },
      encoding: 'utf8',
    });
    assert.equal(setup.status, 0, setup.stderr);
    await cp(HOST_UNITS, join(root, 'usr/lib/systemd/system'), { recursive: true });
    for (const binary of ['usr/local/bin/node', 'usr/bin/caddy']) {
      await mkdir(dirname(join(root, binary)), { recursive: true });
      await writeFile(join(root, binary), '#!/bin/sh\n');
      await chmod(join(root, binary), 0o755);
    }
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('fundus-grader@8081.service passes systemd-analyze verify without a single warning', () => {
    const { code, stderr } = analyze('verify', 'fundus-grader@8081.service');
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
  });

  test('caddy.service with the domain drop-in passes verify too', () => {
    const { code, stderr } = analyze('verify', 'caddy.service');
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
  });

  test('verify does catch mistakes here: a misspelt option and a missing binary', async () => {
    const unit = await readFile(join(root, 'etc/systemd/system/fundus-grader@.service'), 'utf8');
    await writeFile(
      join(root, 'etc/systemd/system/broken@.service'),
      unit
        .replace('ProtectSystem=strict', 'ProtectSytem=strict')
        .replace('/usr/local/bin/node', '/usr/local/bin/no-such-node'),
    );
    const { code, stderr } = analyze('verify', 'broken@8081.service');
    assert.match(stderr, /Unknown key '?ProtectSytem'?/);
    assert.match(stderr, /no-such-node is not executable/);
    assert.notEqual(code, 0);
    await rm(join(root, 'etc/systemd/system/broken@.service'));
  });

  test('systemd-analyze security rates the hardening "OK" with exposure at most 1.5 (of 10)', () => {
    const { stdout, stderr } = analyze('security', '--offline=true', 'fundus-grader@8081.service');
    const exposure = /Overall exposure level for fundus-grader@8081\.service: (\d+\.\d+) (\w+)/.exec(stdout);
    assert.ok(exposure, stdout + stderr);
    assert.ok(Number(exposure[1]) <= 1.5, `exposure ${exposure[1]}`);
    assert.equal(exposure[2], 'OK');
  });
});
