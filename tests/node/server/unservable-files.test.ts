import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants as fsConstants } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessLogEntry } from '../../../src/server/access-log.js';
import { buildFileTable } from '../../../src/server/file-table.js';
import { openRepresentation } from '../../../src/server/open-file.js';
import { startCli, type CliUser } from './support/cli-process.js';
import { createFixtureRoot, type FixtureRoot } from './support/fixture-root.js';
import { request } from './support/http-client.js';
import { startServer, type RunningServer } from './support/test-server.js';

const APP_JS = 'export const app = 1;\n'.repeat(20);

/**
 * Directory entries that exist but are no servable file: FIFOs (opening one would block),
 * sockets, dangling symlinks, symlink loops, and files the server's user may not read. Each must
 * be an ordinary 404: one access-log line, nothing on the error log, never a 500 or a hang.
 */
describe('unservable directory entries: 404 like a missing file', () => {
  let fixture: FixtureRoot;
  let running: RunningServer;
  let socketServer: NetServer;
  let hasFifo = false;

  before(async () => {
    fixture = await createFixtureRoot();
    const { root } = fixture;
    await writeFile(join(root, 'app.js'), APP_JS);
    await writeFile(join(root, 'swapped.txt'), 'a regular file at start-up');
    hasFifo = spawnSync('mkfifo', [join(root, 'pipe.txt'), join(root, 'app.js.gz')]).status === 0;
    await symlink(join(root, 'gone.txt'), join(root, 'dangling.txt'));
    await symlink(join(root, 'gone.js.br'), join(root, 'app.js.br'));
    await symlink(join(root, 'loop-b.txt'), join(root, 'loop-a.txt'));
    await symlink(join(root, 'loop-a.txt'), join(root, 'loop-b.txt'));
    socketServer = createNetServer();
    socketServer.listen(join(root, 'socket.txt'));
    await once(socketServer, 'listening');
    running = await startServer(root);
  });
  after(async () => {
    await running.close();
    socketServer.close();
    await fixture.cleanup();
  });

  test('a FIFO, a socket, a dangling symlink and a symlink loop are 404 without touching the error log', async (t) => {
    const targets = ['/dangling.txt', '/loop-a.txt', '/socket.txt', ...(hasFifo ? ['/pipe.txt'] : [])];
    if (!hasFifo) t.diagnostic('mkfifo unavailable: the FIFO case was not checked');
    const before = running.accessLog.length;
    for (const target of targets) {
      const response = await request(running.port, target);
      assert.equal(response.status, 404, target);
      assert.equal(response.body.toString(), '404 Not Found\n', target);
    }
    assert.deepEqual(running.errors, []);
    assert.deepEqual(
      running.accessLog.slice(before).map(({ path, status }) => ({ path, status })),
      targets.map((path) => ({ path, status: 404 })),
    );
  });

  test('a file swapped for a FIFO after start-up: opening it returns at once, refused, and the request is a 404', async (t) => {
    const entry = buildFileTable(running.server.root).get('swapped.txt');
    assert.ok(entry, 'a regular file at start-up is in the table');
    await unlink(join(fixture.root, 'swapped.txt'));
    if (spawnSync('mkfifo', [join(fixture.root, 'swapped.txt')]).status !== 0) return t.skip('mkfifo unavailable');
    const opened = await Promise.race([openRepresentation(entry.identity), sleep(2000, 'blocked' as const)]);
    assert.deepEqual(opened, { kind: 'missing' });
    const response = await Promise.race([request(running.port, '/swapped.txt'), sleep(2000, 'blocked' as const)]);
    assert.notEqual(response, 'blocked');
    assert.equal(typeof response === 'string' ? 0 : response.status, 404);
    assert.deepEqual(running.errors, []);
  });

  test('a precompressed variant that is a dangling symlink or a FIFO is skipped: identity is served', async () => {
    const response = await request(running.port, '/app.js', { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-encoding'], undefined);
    assert.equal(response.body.toString(), APP_JS);
    assert.deepEqual(running.errors, []);
  });
});

/**
 * Mode 000 needs a user the permission bits apply to. Root reads mode-000 files anyway, so as
 * root the server runs as `nobody` (65534) instead; then EACCES is real, not simulated.
 */
function unprivilegedUser(): { user?: CliUser; skip?: string } {
  const uid = process.getuid?.();
  if (uid === undefined) return { skip: 'no POSIX permission bits on this platform' };
  return uid === 0 ? { user: { uid: 65534, gid: 65534 } } : {};
}

describe('files the server may not read (mode 000): 404, one JSON access-log line, no stack trace', () => {
  const { user, skip } = unprivilegedUser();
  let base: string;
  let root: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'fg-server-unreadable-'));
    root = join(base, 'dist');
    await mkdir(join(root, 'locked-dir'), { recursive: true });
    await writeFile(join(root, 'notes.txt'), 'plain text');
    await writeFile(join(root, 'locked.txt'), 'not for you');
    await writeFile(join(root, 'locked-dir', 'inside.txt'), 'not for you either');
    await writeFile(join(root, '404.html'), '<!doctype html><title>Not found</title>');
    await writeFile(join(root, 'app.js'), APP_JS);
    await writeFile(join(root, 'app.js.br'), 'unreadable brotli');
    for (const file of ['locked.txt', 'locked-dir', '404.html', 'app.js.br']) await chmod(join(root, file), 0o000);
    // mkdtemp makes the folder 0700: the other user must be able to reach the root.
    await chmod(base, 0o755);
  });
  after(async () => {
    await chmod(join(root, 'locked-dir'), 0o755); // a non-root owner could not delete inside it otherwise
    await rm(base, { recursive: true, force: true });
  });

  test('unreadable file, folder, 404 page and br variant', { skip: skip ?? false }, async (t) => {
    if (user === undefined) {
      try {
        accessSync(join(root, 'locked.txt'), fsConstants.R_OK);
        t.skip('this user reads mode-000 files (a capability such as CAP_DAC_OVERRIDE): nothing to test');
        return;
      } catch {
        // unreadable, as intended
      }
    }
    const cli = await startCli(['--root', root], 30_000, user);
    try {
      const expected: { path: string; status: number; body: string; encoding?: string }[] = [
        // 404.html is unreadable too, so every 404 falls back to the plain-text one.
        { path: '/locked.txt', status: 404, body: '404 Not Found\n' },
        { path: '/locked-dir/inside.txt', status: 404, body: '404 Not Found\n' },
        { path: '/missing.txt', status: 404, body: '404 Not Found\n' },
        { path: '/notes.txt', status: 200, body: 'plain text' },
        // The br variant is unreadable: the readable identity bytes are served instead.
        { path: '/app.js', status: 200, body: APP_JS, encoding: 'br' },
      ];
      for (const { path, status, body, encoding } of expected) {
        const headers = encoding === undefined ? {} : { 'accept-encoding': encoding };
        const response = await request(cli.port, path, { headers });
        assert.equal(response.status, status, path);
        assert.equal(response.body.toString(), body, path);
        assert.equal(response.headers['content-encoding'], undefined, path);
      }
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);

      const logged = cli
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as AccessLogEntry);
      assert.deepEqual(
        logged.map(({ path, status }) => ({ path, status })),
        expected.map(({ path, status }) => ({ path, status })),
      );
      // stderr holds the start and shutdown notices only: no error entry, no stack frame.
      assert.doesNotMatch(cli.stderr(), /"level":"error"|\n\s+at /);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
