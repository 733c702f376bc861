import assert from 'node:assert/strict';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
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

describe('static server: validators, ranges, precompressed variants, streaming', () => {
  let fixture: FixtureRoot;
  let running: RunningServer;
  let port: number;
  const large = (): Buffer => fixture.files.get(LARGE_BIN) ?? Buffer.alloc(0);

  before(async () => {
    fixture = await createFixtureRoot();
    running = await startServer(fixture.root);
    port = running.port;
  });
  after(async () => {
    await running.close();
    await fixture.cleanup();
  });

  describe('conditional requests', () => {
    test('strong ETag and Last-Modified on every file response', async () => {
      const response = await request(port, '/notes.txt');
      assert.match(String(response.headers.etag), /^"[^"]+"$/);
      assert.ok(!Number.isNaN(Date.parse(String(response.headers['last-modified']))));
    });

    test('If-None-Match with the current ETag (alone, in a list, weak, or *) gives 304 without a body', async () => {
      const { headers } = await request(port, '/notes.txt');
      const etag = String(headers.etag);
      for (const ifNoneMatch of [etag, `"stale", ${etag}`, `W/${etag}`, '*']) {
        const response = await request(port, '/notes.txt', { headers: { 'if-none-match': ifNoneMatch } });
        assert.equal(response.status, 304, ifNoneMatch);
        assert.equal(response.body.length, 0);
        assert.equal(response.headers.etag, etag);
        assert.equal(response.headers['cache-control'], 'no-cache');
        assert.equal(response.headers['content-length'], undefined);
      }
      const changed = await request(port, '/notes.txt', { headers: { 'if-none-match': '"something-else"' } });
      assert.equal(changed.status, 200);
    });

    test('If-Modified-Since: 304 at or after Last-Modified, 200 before it or when unparseable', async () => {
      const { headers } = await request(port, '/notes.txt');
      const lastModified = Date.parse(String(headers['last-modified']));
      const at = (ms: number): string => new Date(ms).toUTCString();
      const status = async (value: string): Promise<number> =>
        (await request(port, '/notes.txt', { headers: { 'if-modified-since': value } })).status;
      assert.equal(await status(at(lastModified)), 304);
      assert.equal(await status(at(lastModified + 60_000)), 304);
      assert.equal(await status(at(lastModified - 1000)), 200);
      assert.equal(await status('not a date'), 200);
    });

    test('If-None-Match wins over If-Modified-Since', async () => {
      const { headers } = await request(port, '/notes.txt');
      const response = await request(port, '/notes.txt', {
        headers: { 'if-none-match': '"other"', 'if-modified-since': String(headers['last-modified']) },
      });
      assert.equal(response.status, 200);
    });

    test('a changed file gets a new ETag', async () => {
      const file = join(fixture.root, 'changing.txt');
      await writeFile(file, 'one');
      await utimes(file, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'));
      const before = await request(port, '/changing.txt');
      await writeFile(file, 'two!');
      const afterChange = await request(port, '/changing.txt', {
        headers: { 'if-none-match': String(before.headers.etag) },
      });
      assert.equal(afterChange.status, 200);
      assert.notEqual(afterChange.headers.etag, before.headers.etag);
      await rm(file);
    });
  });

  describe('byte ranges', () => {
    const range = (value: string, extra: Record<string, string> = {}) =>
      request(port, LARGE_BIN, { headers: { range: value, ...extra } });

    test('every full response advertises Accept-Ranges: bytes', async () => {
      assert.equal((await request(port, LARGE_BIN)).headers['accept-ranges'], 'bytes');
    });

    test('bytes=a-b, a-, -n and an end past the size give 206 with Content-Range', async () => {
      const cases: [string, number, number][] = [
        ['bytes=0-99', 0, 99],
        ['bytes=100-', 100, 4095],
        ['bytes=-10', 4086, 4095],
        ['bytes=4000-99999', 4000, 4095],
        ['bytes=-99999', 0, 4095],
        ['bytes=7-7', 7, 7],
        // Beyond Number.MAX_SAFE_INTEGER: still a valid range, clamped to the end (RFC 9110 §14.1.1).
        ['bytes=0-99999999999999999999', 0, 4095],
        ['bytes=-99999999999999999999', 0, 4095],
      ];
      for (const [value, start, end] of cases) {
        const response = await range(value);
        assert.equal(response.status, 206, value);
        assert.equal(response.headers['content-range'], `bytes ${start}-${end}/4096`, value);
        assert.equal(response.headers['content-length'], String(end - start + 1), value);
        assert.deepEqual(response.body, large().subarray(start, end + 1), value);
      }
    });

    test('unsatisfiable ranges give 416 with Content-Range: bytes */size', async () => {
      for (const value of [
        'bytes=4096-',
        'bytes=5000-6000',
        'bytes=-0',
        'bytes=99999999999999999999-',
        'bytes=9007199254740993-',
      ]) {
        const response = await range(value);
        assert.equal(response.status, 416, value);
        assert.equal(response.headers['content-range'], 'bytes */4096', value);
      }
      assert.equal((await request(port, '/empty.txt', { headers: { range: 'bytes=0-' } })).status, 416);
    });

    test('several ranges, other units and malformed ranges get the whole body (200)', async () => {
      for (const value of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-3', 'bytes=abc', 'bytes=--1']) {
        const response = await range(value);
        assert.equal(response.status, 200, value);
        assert.deepEqual(response.body, large(), value);
      }
    });

    test('If-Range: the current ETag or Last-Modified allows 206; anything else gets the whole body', async () => {
      const { headers } = await request(port, LARGE_BIN);
      const etag = String(headers.etag);
      assert.equal((await range('bytes=0-9', { 'if-range': etag })).status, 206);
      assert.equal((await range('bytes=0-9', { 'if-range': String(headers['last-modified']) })).status, 206);
      assert.equal((await range('bytes=0-9', { 'if-range': '"stale"' })).status, 200);
      assert.equal((await range('bytes=0-9', { 'if-range': `W/${etag}` })).status, 200);
      assert.equal((await range('bytes=0-9', { 'if-range': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status, 200);
    });

    test('ranges are served from the identity bytes even when the client accepts br', async () => {
      const response = await request(port, HASHED_JS, {
        headers: { range: 'bytes=0-5', 'accept-encoding': 'br, gzip' },
      });
      assert.equal(response.status, 206);
      assert.equal(response.headers['content-encoding'], undefined);
      assert.deepEqual(response.body, fixture.files.get(HASHED_JS)?.subarray(0, 6));
    });
  });

  describe('precompressed variants', () => {
    const get = (path: string, acceptEncoding?: string) =>
      request(port, path, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });

    test('br is preferred, gzip is the fallback, identity without Accept-Encoding', async () => {
      const identity = fixture.files.get(HASHED_JS);
      const br = await get(HASHED_JS, 'gzip, deflate, br, zstd');
      assert.equal(br.headers['content-encoding'], 'br');
      assert.deepEqual(brotliDecompressSync(br.body), identity);
      assert.equal(br.headers['content-length'], String(br.body.length));
      assert.ok(br.body.length < (identity?.length ?? 0));

      const gzip = await get(HASHED_JS, 'gzip');
      assert.equal(gzip.headers['content-encoding'], 'gzip');
      assert.deepEqual(gunzipSync(gzip.body), identity);
      assert.equal(gzip.headers['content-length'], String(gzip.body.length));

      const plain = await get(HASHED_JS);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.deepEqual(plain.body, identity);

      for (const response of [br, gzip, plain]) {
        assert.equal(response.headers.vary, 'Accept-Encoding');
        assert.equal(response.headers['content-type'], 'text/javascript; charset=utf-8');
      }
    });

    test('q-values: q=0 refuses a coding, higher q wins, * covers unnamed codings', async () => {
      const cases: [string, string | undefined][] = [
        ['br;q=0, gzip', 'gzip'],
        ['br;q=0, gzip;q=0', undefined],
        ['gzip;q=1, br;q=0.5', 'gzip'],
        ['gzip;q=0.5, br;q=0.5', 'br'],
        ['*', 'br'],
        ['*;q=0', undefined],
        ['identity', undefined],
        ['BR', 'br'],
        ['br;q=2', undefined],
      ];
      for (const [acceptEncoding, expected] of cases) {
        const response = await get(HASHED_JS, acceptEncoding);
        assert.equal(response.headers['content-encoding'], expected, acceptEncoding);
      }
    });

    test('only the variants that exist are offered: css has gzip only, wasm brotli only', async () => {
      assert.equal((await get(HASHED_CSS, 'br, gzip')).headers['content-encoding'], 'gzip');
      assert.equal((await get(HASHED_CSS, 'br')).headers['content-encoding'], undefined);
      const wasm = await get(VENDOR_WASM, 'gzip, br');
      assert.equal(wasm.headers['content-encoding'], 'br');
      assert.equal(wasm.headers['content-type'], 'application/wasm');
      assert.equal((await get(VENDOR_WASM, 'gzip')).headers['content-encoding'], undefined);
    });

    test('each representation has its own ETag, and a 304 is per representation', async () => {
      const tags = new Set<string>();
      for (const acceptEncoding of ['br', 'gzip', 'identity']) {
        tags.add(String((await get(HASHED_JS, acceptEncoding)).headers.etag));
      }
      assert.equal(tags.size, 3);
      const brTag = String((await get(HASHED_JS, 'br')).headers.etag);
      const asGzip = await request(port, HASHED_JS, { headers: { 'accept-encoding': 'gzip', 'if-none-match': brTag } });
      assert.equal(asGzip.status, 200);
      const asBr = await request(port, HASHED_JS, { headers: { 'accept-encoding': 'br', 'if-none-match': brTag } });
      assert.equal(asBr.status, 304);
      assert.equal(asBr.headers.vary, 'Accept-Encoding');
    });

    test('Vary: Accept-Encoding on compressible types even without variants, not on images', async () => {
      assert.equal((await get('/notes.txt')).headers.vary, 'Accept-Encoding');
      assert.equal((await get('/icons/icon-192.png')).headers.vary, undefined);
    });

    test('variant files are not resources: /x.js.br and /x.js.gz are 404', async () => {
      for (const path of [`${HASHED_JS}.br`, `${HASHED_JS}.gz`, `${VENDOR_WASM}.br`]) {
        assert.equal((await get(path, 'br, gzip')).status, 404, path);
      }
    });
  });

  describe('streaming', () => {
    test('a client aborting mid-download neither crashes nor stalls the server', async () => {
      const big = join(fixture.root, 'big.bin');
      await writeFile(big, Buffer.alloc(32 * 1024 * 1024, 7));
      try {
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/big.bin', agent: false }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
          req.end();
        });
        const entry = await waitFor(() => running.accessLog.find((logged) => logged.path === '/big.bin'));
        assert.equal(entry.aborted, true);
        assert.ok(entry.bytes < 32 * 1024 * 1024);
        assert.equal((await request(port, '/notes.txt')).status, 200);
        assert.deepEqual(running.errors, []);
      } finally {
        await rm(big);
      }
    });
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
