import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { mkdir, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildFileTable } from '../../../src/server/file-table.js';
import {
  createFixtureRoot,
  HASHED_CSS,
  HASHED_JS,
  LARGE_BIN,
  VENDOR_WASM,
  type FixtureRoot,
} from './support/fixture-root.js';
import { request } from './support/http-client.js';
import { startServer, type RunningServer } from './support/test-server.js';

/**
 * The file table (src/server/file-table.ts): the root is walked once, when the server starts, and
 * requests look files up there instead of resolving and stat-ing paths (issue 17, finding 6). The
 * first test of the second group is the finding's: before the table, each of those requests made a
 * realpath and a stat of the file and of each of its `.br`/`.gz` siblings.
 */

// Everything the fixture root serves, by table key (request path without the leading slash).
const FIXTURE_FILES = [
  'assets/index-AB12cd34.js',
  'assets/index-AB12cd34.js.map',
  'assets/index-XY98ZW76.css',
  'assets/unhashed.js',
  'bench.html',
  'data.unknownext',
  'empty.txt',
  'icons/favicon.ico',
  'icons/icon-192.png',
  'icons/logo.svg',
  'icons/photo.jpg',
  'icons/photo.webp',
  'index.html',
  'inside-link.txt',
  'manifest.webmanifest',
  'models/manifest.json',
  'models/resnet50-onnx/1.0.0/model.onnx',
  'models/resnet50-tfjs/1.0.0/group1-shard1of1.bin',
  'models/resnet50-tfjs/1.0.0/model.json',
  'notes.txt',
  'offline.html',
  'sw.js',
  'vendor/onnxruntime-web-1.30.0/ort-wasm-simd-threaded.mjs',
  'vendor/onnxruntime-web-1.30.0/ort-wasm-simd-threaded.wasm',
];

describe('file table: what the walk at start-up records', () => {
  let fixture: FixtureRoot;
  let socketServer: NetServer;
  let hasFifo = false;

  before(async () => {
    fixture = await createFixtureRoot();
    const { root } = fixture;
    hasFifo = spawnSync('mkfifo', [join(root, 'pipe.txt'), join(root, 'notes.txt.gz')]).status === 0;
    await symlink(join(root, 'gone.txt'), join(root, 'dangling.txt'));
    await symlink(join(root, 'loop-b.txt'), join(root, 'loop-a.txt'));
    await symlink(join(root, 'loop-a.txt'), join(root, 'loop-b.txt'));
    await symlink(join(root, 'gone.js.br'), join(root, 'sw.js.br'));
    await symlink(join(root, 'icons'), join(root, 'icons-link'));
    await mkdir(join(root, 'deep'));
    await symlink(root, join(root, 'deep', 'back-to-root'));
    await symlink(join(root, '.hidden'), join(root, 'to-hidden-dir'));
    socketServer = createNetServer();
    socketServer.listen(join(root, 'socket.txt'));
    await once(socketServer, 'listening');
  });
  after(async () => {
    socketServer.close();
    await fixture.cleanup();
  });

  test('holds the regular files, and refuses dotfiles, escapes, FIFOs, sockets, dangling links and loops', () => {
    const table = buildFileTable(fs.realpathSync(fixture.root));
    const icons = FIXTURE_FILES.filter((path) => path.startsWith('icons/'));
    // A folder symlink inside the root serves its files under both names, as path resolution did.
    const expected = [...FIXTURE_FILES, ...icons.map((path) => path.replace('icons/', 'icons-link/'))];
    const found = expected.filter((path) => table.get(path) !== undefined);
    assert.deepEqual(found, expected);
    assert.equal(table.size, expected.length);
    const refused = [
      '.env',
      '.hidden/inside.txt',
      'to-hidden-dir/inside.txt',
      'escape.txt',
      'escape-dir/secret.txt',
      'to-dotfile.txt',
      'dangling.txt',
      'loop-a.txt',
      'socket.txt',
      'pipe.txt',
      'icons',
      'assets',
      // A folder symlink back to an ancestor is not followed: no endless deep/back-to-root/deep/…
      'deep/back-to-root/index.html',
      `${HASHED_JS.slice(1)}.br`,
      `${HASHED_JS.slice(1)}.gz`,
    ];
    for (const path of refused) assert.equal(table.get(path), undefined, path);
  });

  test('precompressed siblings that are regular files become variants, br first', () => {
    const table = buildFileTable(fs.realpathSync(fixture.root));
    const codings = (path: string): (string | undefined)[] =>
      table.get(path)?.variants.map((variant) => variant.coding) ?? ['missing'];
    assert.deepEqual(codings(HASHED_JS.slice(1)), ['br', 'gzip']);
    assert.deepEqual(codings(HASHED_CSS.slice(1)), ['gzip']);
    assert.deepEqual(codings(VENDOR_WASM.slice(1)), ['br']);
    assert.deepEqual(codings('index.html'), ['br', 'gzip']);
    // notes.txt.gz is a FIFO (where mkfifo exists), sw.js.br a dangling symlink: neither is offered.
    assert.deepEqual(codings('notes.txt'), []);
    assert.deepEqual(codings('sw.js'), []);
    if (!hasFifo) assert.ok(true, 'mkfifo unavailable: the FIFO cases were not checked');
  });

  test('each representation carries its precomputed headers', () => {
    const table = buildFileTable(fs.realpathSync(fixture.root));
    const entry = table.get(HASHED_JS.slice(1));
    assert.ok(entry);
    const [br] = entry.variants;
    assert.ok(br);
    assert.equal(entry.identity.okHeaders['Content-Type'], 'text/javascript; charset=utf-8');
    assert.equal(entry.identity.okHeaders['Cache-Control'], 'public, max-age=31536000, immutable');
    assert.equal(entry.identity.okHeaders['Content-Length'], fixture.files.get(HASHED_JS)?.length);
    assert.equal(entry.identity.okHeaders['Content-Encoding'], undefined);
    assert.equal(br.okHeaders['Content-Encoding'], 'br');
    assert.equal(br.okHeaders['Content-Length'], br.size);
    assert.notEqual(br.etag, entry.identity.etag);
    assert.deepEqual(Object.keys(br.notModifiedHeaders), ['Cache-Control', 'ETag', 'Last-Modified', 'Vary']);
  });
});

/** Runs `action` and returns every path look-up (realpath, stat, lstat, access, exists; sync, callback or promise) made meanwhile. */
async function pathLookupsDuring(action: () => Promise<void>): Promise<string[]> {
  const calls: string[] = [];
  const restore: (() => void)[] = [];
  const spy = <T extends object>(owner: T, name: keyof T & string, label: string): void => {
    const original = owner[name];
    if (typeof original !== 'function') return;
    owner[name] = function (this: unknown, ...args: unknown[]) {
      calls.push(`${label}(${String(args[0])})`);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as T[keyof T & string];
    restore.push(() => (owner[name] = original));
  };
  for (const name of ['realpath', 'stat', 'lstat', 'access'] as const) spy(fs.promises, name, `fs.promises.${name}`);
  for (const name of [
    'realpath',
    'realpathSync',
    'stat',
    'statSync',
    'lstat',
    'lstatSync',
    'exists',
    'existsSync',
  ] as const) {
    spy(fs, name, `fs.${name}`);
  }
  syncBuiltinESMExports(); // so named imports (`import { stat } from 'node:fs/promises'`) see the spies
  try {
    await action();
  } finally {
    for (const undo of restore) undo();
    syncBuiltinESMExports();
  }
  return calls;
}

describe('file table: requests are answered from it, not from path look-ups', () => {
  let fixture: FixtureRoot;
  let running: RunningServer;
  const browser = { 'accept-encoding': 'gzip, deflate, br, zstd' };

  before(async () => {
    fixture = await createFixtureRoot();
    await writeFile(join(fixture.root, 'changes.txt'), 'as it was at start-up');
    await writeFile(join(fixture.root, 'goes-away.txt'), 'here at start-up');
    running = await startServer(fixture.root);
  });
  after(async () => {
    await running.close();
    await fixture.cleanup();
  });

  test('a request for a file found at start-up resolves and stats no path', async () => {
    const lookups = await pathLookupsDuring(async () => {
      for (const path of ['/', HASHED_JS, HASHED_CSS, VENDOR_WASM, '/notes.txt', '/inside-link.txt']) {
        const response = await request(running.port, path, { headers: browser });
        assert.equal(response.status, 200, path);
      }
      const revalidated = await request(running.port, '/', { headers: { ...browser, 'if-none-match': '*' } });
      assert.equal(revalidated.status, 304);
      assert.equal((await request(running.port, LARGE_BIN, { headers: { range: 'bytes=0-9' } })).status, 206);
    });
    assert.deepEqual(lookups, []);
  });

  test('a file added after start-up is looked up on its first request, then served from the table', async () => {
    await writeFile(join(fixture.root, 'added-later.txt'), 'added later');
    const first = await pathLookupsDuring(async () => {
      assert.equal((await request(running.port, '/added-later.txt')).body.toString(), 'added later');
    });
    assert.ok(first.length > 0, 'the first request looks on disk');
    const second = await pathLookupsDuring(async () => {
      assert.equal((await request(running.port, '/added-later.txt')).body.toString(), 'added later');
    });
    assert.deepEqual(second, []);
  });

  test('a file changed since start-up is served under headers from its own stats, never the recorded ones', async () => {
    const before = await request(running.port, '/changes.txt');
    assert.equal(before.body.toString(), 'as it was at start-up');
    await writeFile(join(fixture.root, 'changes.txt'), 'something else, and longer');
    await utimes(join(fixture.root, 'changes.txt'), new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'));
    const changed = await request(running.port, '/changes.txt', {
      headers: { 'if-none-match': String(before.headers.etag) },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.toString(), 'something else, and longer');
    assert.equal(changed.headers['content-length'], String(changed.body.length));
    assert.notEqual(changed.headers.etag, before.headers.etag);
    assert.equal(changed.headers['last-modified'], 'Mon, 01 Jan 2024 00:00:00 GMT');
    assert.deepEqual(running.errors, []);
  });

  test('a file removed since start-up is a 404; so is a variant, whose identity file is then served', async () => {
    await unlink(join(fixture.root, 'goes-away.txt'));
    const gone = await request(running.port, '/goes-away.txt');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.toString(), '404 Not Found\n');

    await rm(join(fixture.root, `${HASHED_JS.slice(1)}.br`));
    const js = await request(running.port, HASHED_JS, { headers: { 'accept-encoding': 'br' } });
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-encoding'], undefined);
    assert.deepEqual(js.body, fixture.files.get(HASHED_JS));
    assert.deepEqual(running.errors, []);
  });
});
