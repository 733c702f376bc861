import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { INSTANCE_KIT, SETUP_SCRIPT } from './support/paths.js';

const NODE_PLATFORM = process.arch === 'arm64' ? 'linux-arm64' : 'linux-x64';

describe('instance setup.sh against a scratch root (FG_ROOT)', () => {
  let root: string;

  const setup = (...args: string[]) => {
    const result = spawnSync(SETUP_SCRIPT, args, { env: { ...process.env, FG_ROOT: root }, encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const mode = async (path: string): Promise<string> => ((await stat(join(root, path))).mode & 0o777).toString(8);
  const touchExecutable = async (path: string): Promise<void> => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), '#!/bin/sh\n');
    await chmod(join(root, path), 0o755);
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fg-deploy-setup-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('first run: installs the kit, creates the account, and only describes what would touch the live system', async () => {
    const { code, stdout, stderr } = setup('--domain', 'grader.example.org');
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      stdout.split('\n').filter((line) => line.startsWith('would ')),
      [
        'would install packages: install_packages caddy curl xz-utils ca-certificates',
        `would install Node 20.20.2: install_node node-v20.20.2-${NODE_PLATFORM}`,
        'would reload systemd units: systemctl daemon-reload',
        'would enable Caddy: systemctl enable --quiet caddy',
        'would apply the Caddy configuration: systemctl reload-or-restart caddy',
      ],
    );
    assert.match(stdout, /setup done: 5 file\(s\) changed\n$/);

    const installed: [string, string, string][] = [
      ['fundus-grader-release', '/usr/local/sbin/fundus-grader-release', '755'],
      ['fundus-grader@.service', '/etc/systemd/system/fundus-grader@.service', '644'],
      ['Caddyfile', '/etc/caddy/Caddyfile', '644'],
      ['fundus-grader.sysusers', '/etc/sysusers.d/fundus-grader.conf', '644'],
    ];
    for (const [source, target, expectedMode] of installed) {
      assert.equal(
        await readFile(join(root, target), 'utf8'),
        await readFile(join(INSTANCE_KIT, source), 'utf8'),
        target,
      );
      assert.equal(await mode(target), expectedMode, `mode of ${target}`);
    }
    assert.match(
      await readFile(join(root, 'etc/systemd/system/caddy.service.d/fundus-grader.conf'), 'utf8'),
      /^\[Service\]\nEnvironment=FG_DOMAIN=grader\.example\.org$/m,
    );
    const account = (await readFile(join(root, 'etc/passwd'), 'utf8'))
      .split('\n')
      .find((line) => line.startsWith('fundus-grader:'));
    assert.ok(account, 'fundus-grader in /etc/passwd');
    const [, , uid, , , home, shell] = account.split(':');
    assert.ok(Number(uid) > 0 && Number(uid) < 1000, `a system uid, got ${uid}`);
    assert.deepEqual([home, shell], ['/nonexistent', '/usr/sbin/nologin']);
    assert.equal(await mode('opt/fundus-grader/releases'), '755');
  });

  test('second run, with Caddy and Node in place: changes nothing and restarts nothing', async () => {
    await touchExecutable('usr/bin/caddy');
    await touchExecutable(`opt/node-v20.20.2-${NODE_PLATFORM}/bin/node`);
    const { code, stdout, stderr } = setup('--domain', 'grader.example.org');
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'setup done: 0 file(s) changed\n');
  });

  test('a new domain rewrites only the Caddy drop-in, then reloads Caddy', () => {
    const { code, stdout, stderr } = setup('--domain', 'screening.example.net');
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      [
        'installed /etc/systemd/system/caddy.service.d/fundus-grader.conf',
        'would reload systemd units: systemctl daemon-reload',
        'would enable Caddy: systemctl enable --quiet caddy',
        'would apply the Caddy configuration: systemctl reload-or-restart caddy',
        'setup done: 1 file(s) changed',
        '',
      ].join('\n'),
    );
  });

  test('refuses a domain that is not a plain DNS name (it ends up in a unit file)', async () => {
    for (const domain of ['grader.example.org\nExecStartPre=/bin/sh -c id', 'grader example.org', 'localhost', '']) {
      const { code, stderr } = setup('--domain', domain);
      assert.equal(code, 1, JSON.stringify(domain));
      assert.match(stderr, /--domain needs a DNS name/);
    }
    assert.match(
      await readFile(join(root, 'etc/systemd/system/caddy.service.d/fundus-grader.conf'), 'utf8'),
      /screening\.example\.net/,
    );
  });
});
