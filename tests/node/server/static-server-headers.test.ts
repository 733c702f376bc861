import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/server/options.js';
import { createRequestHandler } from '../../../src/server/request-handler.js';
import { securityHeaders } from '../../../src/server/security-headers.js';
import { assertSecurityHeaders, headersOfRaw } from './support/assertions.js';
import {
  createFixtureRoot,
  HASHED_CSS,
  HASHED_JS,
  MODEL_BIN,
  VENDOR_WASM,
  type FixtureRoot,
} from './support/fixture-root.js';
import { rawExchange, request, statusOf } from './support/http-client.js';
import { startServer, TEST_VERSION, type RunningServer } from './support/test-server.js';

describe('static server: headers, types, caching, methods, limits', () => {
  let fixture: FixtureRoot;
  let running: RunningServer;
  let port: number;

  before(async () => {
    fixture = await createFixtureRoot();
    running = await startServer(fixture.root);
    port = running.port;
  });
  after(async () => {
    await running.close();
    await fixture.cleanup();
  });

  test('security headers on 200, 206, 304, 400, 404, 405, 413, 414, 416 and /healthz; no HSTS over plain HTTP', async () => {
    const first = await request(port, '/');
    const cases = [
      { status: 200, response: first },
      { status: 206, response: await request(port, MODEL_BIN, { headers: { range: 'bytes=0-9' } }) },
      { status: 304, response: await request(port, '/', { headers: { 'if-none-match': String(first.headers.etag) } }) },
      { status: 400, response: await request(port, '/a/../index.html') },
      { status: 404, response: await request(port, '/missing.js') },
      { status: 405, response: await request(port, '/', { method: 'POST', body: 'x' }) },
      { status: 413, response: await request(port, '/', { headers: { 'content-length': '1' }, body: 'x' }) },
      { status: 414, response: await request(port, `/${'a'.repeat(3000)}`) },
      { status: 416, response: await request(port, MODEL_BIN, { headers: { range: 'bytes=5000-' } }) },
      { status: 200, response: await request(port, '/healthz') },
    ];
    for (const { status, response } of cases) {
      assert.equal(response.status, status);
      assertSecurityHeaders(response.headers, { hsts: false }, `on ${status}`);
    }
  });

  test('security headers also on answers Node gives before a request event (431, unknown method, CONNECT, garbage)', async () => {
    const huge = await request(port, '/', { headers: { 'x-filler': 'a'.repeat(20 * 1024) } });
    assert.equal(huge.status, 431);
    assertSecurityHeaders(huge.headers, { hsts: false }, 'on 431');
    assert.equal(huge.headers['cache-control'], 'no-store');

    const unknownMethod = await rawExchange(port, 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(statusOf(unknownMethod), 405);
    assert.equal(headersOfRaw(unknownMethod).allow, 'GET, HEAD');
    assertSecurityHeaders(headersOfRaw(unknownMethod), { hsts: false }, 'on parser 405');

    const tunnel = await rawExchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.equal(statusOf(tunnel), 405);
    assert.equal(headersOfRaw(tunnel).allow, 'GET, HEAD');
    assertSecurityHeaders(headersOfRaw(tunnel), { hsts: false }, 'on CONNECT');

    const garbage = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    assert.equal(statusOf(garbage), 400);
    assertSecurityHeaders(headersOfRaw(garbage), { hsts: false }, 'on parser 400');
  });

  test('a request without Host (400) and an unknown Expect (417) get the security headers and no-store', async () => {
    const noHost = await rawExchange(port, 'GET / HTTP/1.1\r\n\r\n');
    assert.equal(statusOf(noHost), 400);
    assertSecurityHeaders(headersOfRaw(noHost), { hsts: false }, 'on 400 without Host');
    assert.equal(headersOfRaw(noHost)['cache-control'], 'no-store');
    assert.equal(headersOfRaw(noHost).connection, 'close');
    // HTTP/1.0 never required Host.
    assert.equal(statusOf(await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n')), 200);

    const unknownExpectation = await rawExchange(
      port,
      'GET / HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nConnection: close\r\n\r\n',
    );
    assert.equal(statusOf(unknownExpectation), 417);
    assertSecurityHeaders(headersOfRaw(unknownExpectation), { hsts: false }, 'on 417');
    assert.equal(headersOfRaw(unknownExpectation)['cache-control'], 'no-store');
    // 100-continue is the one expectation Node meets itself; the request is then served as usual.
    assert.equal((await request(port, '/', { headers: { expect: '100-continue' } })).status, 200);
  });

  test('--hsts sends Strict-Transport-Security over plain HTTP too', async () => {
    const withHsts = await startServer(fixture.root, { hsts: true });
    try {
      const ok = await request(withHsts.port, '/');
      const missing = await request(withHsts.port, '/nope');
      assertSecurityHeaders(ok.headers, { hsts: true });
      assertSecurityHeaders(missing.headers, { hsts: true });
    } finally {
      await withHsts.close();
    }
  });

  test('Content-Type by extension, charset on text, octet-stream when unknown', async () => {
    const expected: Record<string, string> = {
      '/': 'text/html; charset=utf-8',
      '/bench.html': 'text/html; charset=utf-8',
      [HASHED_JS]: 'text/javascript; charset=utf-8',
      '/vendor/onnxruntime-web-1.30.0/ort-wasm-simd-threaded.mjs': 'text/javascript; charset=utf-8',
      [HASHED_CSS]: 'text/css; charset=utf-8',
      '/models/manifest.json': 'application/json; charset=utf-8',
      [VENDOR_WASM]: 'application/wasm',
      [MODEL_BIN]: 'application/octet-stream',
      '/models/resnet50-onnx/1.0.0/model.onnx': 'application/octet-stream',
      '/manifest.webmanifest': 'application/manifest+json; charset=utf-8',
      '/icons/icon-192.png': 'image/png',
      '/icons/logo.svg': 'image/svg+xml; charset=utf-8',
      '/icons/favicon.ico': 'image/x-icon',
      '/icons/photo.webp': 'image/webp',
      '/icons/photo.jpg': 'image/jpeg',
      '/notes.txt': 'text/plain; charset=utf-8',
      '/data.unknownext': 'application/octet-stream',
    };
    for (const [path, contentType] of Object.entries(expected)) {
      const response = await request(port, path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers['content-type'], contentType, path);
      assert.deepEqual(response.body, fixture.files.get(path === '/' ? '/index.html' : path), path);
    }
  });

  test('Cache-Control: immutable for hashed assets, vendor and versioned models; no-cache for the rest', async () => {
    const immutable = 'public, max-age=31536000, immutable';
    const expected: Record<string, string> = {
      [HASHED_JS]: immutable,
      [HASHED_CSS]: immutable,
      [VENDOR_WASM]: immutable,
      '/vendor/onnxruntime-web-1.30.0/ort-wasm-simd-threaded.mjs': immutable,
      [MODEL_BIN]: immutable,
      '/models/resnet50-tfjs/1.0.0/model.json': immutable,
      '/': 'no-cache',
      '/index.html': 'no-cache',
      '/offline.html': 'no-cache',
      '/sw.js': 'no-cache',
      '/manifest.webmanifest': 'no-cache',
      '/models/manifest.json': 'no-cache',
      '/assets/unhashed.js': 'no-cache',
      '/icons/icon-192.png': 'no-cache',
      '/healthz': 'no-cache',
      '/missing': 'no-store',
    };
    for (const [path, cacheControl] of Object.entries(expected)) {
      assert.equal((await request(port, path)).headers['cache-control'], cacheControl, path);
    }
  });

  test('HEAD answers the same headers as GET and no body', async () => {
    for (const path of ['/', HASHED_JS, VENDOR_WASM, '/missing', '/healthz']) {
      for (const acceptEncoding of [undefined, 'br, gzip']) {
        const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
        const get = await request(port, path, { headers });
        const head = await request(port, path, { method: 'HEAD', headers });
        assert.equal(head.status, get.status, path);
        assert.equal(head.body.length, 0, path);
        const { date: _getDate, ...getHeaders } = get.headers;
        const { date: _headDate, ...headHeaders } = head.headers;
        if (path === '/healthz') {
          // uptimeSeconds may tick between the two requests; everything else must agree.
          delete getHeaders['content-length'];
          delete headHeaders['content-length'];
        }
        assert.deepEqual(headHeaders, getHeaders, `${path} ${acceptEncoding ?? ''}`);
      }
    }
  });

  test('only GET and HEAD: other methods get 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']) {
      const response = await request(port, '/index.html', { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.allow, 'GET, HEAD', method);
    }
  });

  test('a request body is refused, and the connection is closed instead of drained', async () => {
    const post = await request(port, '/', { method: 'POST', body: 'x'.repeat(1000) });
    assert.equal(post.status, 405);
    assert.equal(post.headers.connection, 'close');
    const getWithBody = await request(port, '/', { headers: { 'transfer-encoding': 'chunked' }, body: 'abc' });
    assert.equal(getWithBody.status, 413);
    assert.equal(getWithBody.headers.connection, 'close');
  });

  test('414 for targets over 2048 characters; 2048 itself passes the length check', async () => {
    assert.equal((await request(port, `/${'a'.repeat(2048)}`)).status, 414);
    assert.equal((await request(port, `/${'a'.repeat(2047)}`)).status, 404);
  });

  test('431 for request headers over 16 KiB', async () => {
    assert.equal((await request(port, '/', { headers: { 'x-filler': 'a'.repeat(17 * 1024) } })).status, 431);
    assert.equal((await request(port, '/', { headers: { 'x-filler': 'a'.repeat(8 * 1024) } })).status, 200);
  });

  test('/healthz reports status, uptime and version as JSON, not cached', async () => {
    const response = await request(port, '/healthz');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-cache');
    const body = JSON.parse(response.body.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['status', 'uptimeSeconds', 'version']);
    assert.equal(body['status'], 'ok');
    assert.equal(body['version'], TEST_VERSION);
    assert.ok(Number.isInteger(body['uptimeSeconds']) && (body['uptimeSeconds'] as number) >= 0);
  });

  test('404 is short plain text, or dist/404.html when the build has one', async () => {
    const plain = await request(port, '/no/such/file.js');
    assert.equal(plain.status, 404);
    assert.equal(plain.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(plain.body.toString(), '404 Not Found\n');

    const page = '<!doctype html><title>Not found</title>';
    await writeFile(join(fixture.root, '404.html'), page);
    try {
      const html = await request(port, '/no/such/file.js');
      assert.equal(html.status, 404);
      assert.equal(html.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(html.headers['cache-control'], 'no-store');
      assert.equal(html.body.toString(), page);
    } finally {
      await rm(join(fixture.root, '404.html'));
    }
  });

  test('directories: / serves index.html, any other directory is 404 with or without a slash', async () => {
    assert.deepEqual((await request(port, '/')).body, fixture.files.get('/index.html'));
    for (const path of ['/icons', '/icons/', '/models/resnet50-tfjs/1.0.0/', '/assets']) {
      assert.equal((await request(port, path)).status, 404, path);
    }
  });

  test('one access-log entry per request with time, remote, method, path, status, bytes, ms', async () => {
    const before = running.accessLog.length;
    await request(port, '/notes.txt?v=1');
    await request(port, '/missing', { method: 'HEAD' });
    const [ok, missing, ...rest] = running.accessLog.slice(before);
    assert.equal(rest.length, 0);
    assert.ok(ok && missing);
    assert.equal(ok.method, 'GET');
    assert.equal(ok.path, '/notes.txt?v=1');
    assert.equal(ok.status, 200);
    assert.equal(ok.bytes, fixture.files.get('/notes.txt')?.length);
    assert.equal(ok.remote, '127.0.0.1');
    assert.ok(!Number.isNaN(Date.parse(ok.time)));
    assert.ok(ok.ms >= 0);
    assert.deepEqual(
      { method: missing.method, status: missing.status, bytes: missing.bytes },
      { method: 'HEAD', status: 404, bytes: 0 },
    );
  });
});

describe('request handler failures', () => {
  test('an unexpected error becomes a 500 with the security headers and no internals', async () => {
    const errors: unknown[] = [];
    const handler = createRequestHandler({
      rootReal: '/nonexistent',
      limits: DEFAULT_LIMITS,
      sourceMaps: false,
      logger: { access: () => undefined, error: (_message, error) => errors.push(error) },
      baseHeaders: securityHeaders({ hsts: false }),
      health: () => {
        throw new Error('secret internal detail at /srv/app/health.ts:12');
      },
      isClosing: () => false,
    });
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await request((server.address() as AddressInfo).port, '/healthz');
      assert.equal(response.status, 500);
      assert.equal(response.body.toString(), '500 Internal Server Error\n');
      assert.equal(response.headers['cache-control'], 'no-store');
      assertSecurityHeaders(response.headers, { hsts: false });
      assert.equal(errors.length, 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('slow clients: headers not complete within headersTimeout get 408', async () => {
    const fixture = await createFixtureRoot();
    const running = await startServer(fixture.root, { limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    try {
      const started = Date.now();
      const answer = await rawExchange(running.port, 'GET / HTTP/1.1\r\nHost: x\r\n');
      assert.equal(statusOf(answer), 408);
      assertSecurityHeaders(headersOfRaw(answer), { hsts: false });
      assert.ok(Date.now() - started < 3000);
    } finally {
      await running.close();
      await fixture.cleanup();
    }
  });
});
