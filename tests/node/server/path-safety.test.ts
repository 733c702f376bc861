import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertSecurityHeaders } from './support/assertions.js';
import { createFixtureRoot, SECRET, type FixtureRoot } from './support/fixture-root.js';
import { rawExchange, request, statusOf } from './support/http-client.js';
import { startServer, type RunningServer } from './support/test-server.js';

// Each target is sent byte for byte (http.request and a raw socket never normalise `..`).
const TRAVERSALS: readonly string[] = [
  '/../outside/secret.txt',
  '/assets/../../outside/secret.txt',
  '/..',
  '/..%2foutside%2fsecret.txt',
  '/%2e%2e/outside/secret.txt',
  '/%2E%2E/outside/secret.txt',
  '/.%2e/outside/secret.txt',
  '/%2e%2e%2foutside%2fsecret.txt',
  '/%252e%252e/outside/secret.txt',
  '/%252e%252e%252foutside%252fsecret.txt',
  '/%25252e%25252e/outside/secret.txt',
  '/..\\outside\\secret.txt',
  '/assets\\..\\..\\outside\\secret.txt',
  '/%5c..%5coutside%5csecret.txt',
  '/..%5coutside%5csecret.txt',
  '/assets%2f..%2f..%2foutside%2fsecret.txt',
  '/index.html%2f',
  '//outside/secret.txt',
  '//etc/passwd',
  '/C:/Windows/win.ini',
  '/c:%5cwindows%5cwin.ini',
  '/%00',
  '/index.html%00.png',
  '/%',
  '/%zz',
  '/%2',
  '/%e0%80',
  '/%c0%ae%c0%ae/outside/secret.txt',
  '/./index.html',
  '/icons/./icon-192.png',
];

describe('path safety: nothing outside the root, nothing hidden', () => {
  let fixture: FixtureRoot;
  let running: RunningServer;

  before(async () => {
    fixture = await createFixtureRoot();
    running = await startServer(fixture.root);
  });
  after(async () => {
    await running.close();
    await fixture.cleanup();
  });

  test('every traversal, encoded-separator, NUL, drive-letter and malformed spelling gets 400', async () => {
    for (const target of TRAVERSALS) {
      const response = await request(running.port, target);
      assert.equal(response.status, 400, target);
      assert.ok(!response.body.toString().includes(SECRET), target);
      assertSecurityHeaders(response.headers, { hsts: false }, target);
    }
  });

  test('bytes a client library would refuse to send are refused too', async () => {
    const targets = ['/a b', '/caf\xe9.txt', '/\x01', 'http://127.0.0.1/../outside/secret.txt', '*'];
    for (const target of targets) {
      const answer = await rawExchange(running.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(answer), 400, JSON.stringify(target));
      assert.ok(!answer.includes(SECRET));
    }
  });

  test('absolute-form targets are served by their path, under every origin-form rule', async () => {
    const send = (target: string): Promise<string> =>
      rawExchange(running.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const ok = await send(`http://127.0.0.1:${running.port}/notes.txt`);
    assert.equal(statusOf(ok), 200);
    assert.ok(ok.endsWith('\r\n\r\nplain text'));
    assert.equal(statusOf(await send('HTTPS://elsewhere.example/n%6Ftes.txt?q=1')), 200);
    assert.equal(statusOf(await send('http://x')), 200);
    for (const target of TRAVERSALS.filter((path) => path.startsWith('/') && !path.startsWith('//'))) {
      const answer = await send(`http://127.0.0.1${target}`);
      assert.equal(statusOf(answer), 400, target);
      assert.ok(!answer.includes(SECRET), target);
    }
    for (const target of [
      'http://x/.env',
      'http://x/%2eenv',
      'http://x/escape.txt',
      'http://x/escape-dir/secret.txt',
    ]) {
      const answer = await send(target);
      assert.equal(statusOf(answer), 404, target);
      assert.ok(!answer.includes(SECRET), target);
    }
    for (const target of [
      'http:///outside/secret.txt',
      'http://user@x/notes.txt',
      'ftp://x/notes.txt',
      'file:///etc/passwd',
    ]) {
      assert.equal(statusOf(await send(target)), 400, target);
    }
  });

  test('symlinks are followed only while they stay inside the root and off dotfiles', async () => {
    assert.equal((await request(running.port, '/escape.txt')).status, 404);
    assert.equal((await request(running.port, '/escape-dir/secret.txt')).status, 404);
    assert.equal((await request(running.port, '/to-dotfile.txt')).status, 404);
    const inside = await request(running.port, '/inside-link.txt');
    assert.equal(inside.status, 200);
    assert.deepEqual(inside.body, fixture.files.get('/inside-link.txt'));
  });

  test('dotfiles and dot-folders are 404, however spelled', async () => {
    for (const target of ['/.env', '/%2eenv', '/.hidden/inside.txt', '/.hidden/', '/.hidden']) {
      const response = await request(running.port, target);
      assert.equal(response.status, 404, target);
      assert.ok(!response.body.toString().includes(SECRET), target);
    }
  });

  test('ordinary percent-encoding still reaches files, and the query string is ignored', async () => {
    assert.equal((await request(running.port, '/notes%2etxt')).status, 200);
    assert.equal((await request(running.port, '/n%6Ftes.txt?x=../../etc/passwd#frag')).status, 200);
  });
});
