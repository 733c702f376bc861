import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync } from 'node:zlib';
import { assertSecurityHeaders } from '../server/support/assertions.js';
import { request } from '../server/support/http-client.js';
import { requireTool } from './support/debian-tool.js';
import { DOMAIN, startLoopbackInstance, type LoopbackInstance } from './support/loopback-instance.js';
import { bundleServer, packRelease, type PackedRelease } from './support/release-fixture.js';

const skip = requireTool('caddy');

describe(
  'Caddy in front of the server, as deployed (HTTPS on loopback)',
  { skip: skip ?? false, timeout: 60_000 },
  () => {
    let work: string;
    let instance: LoopbackInstance;
    let release: PackedRelease;

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'fg-deploy-tls-'));
      await bundleServer(join(work, 'server.mjs'));
      release = await packRelease(work, join(work, 'server.mjs'), 'tls1');
      instance = await startLoopbackInstance({ settleSeconds: 1 });
      const installed = await instance.release('install', release.tarball, 'tls1');
      assert.equal(installed.code, 0, installed.stderr);
    });
    after(async () => {
      await instance?.stop();
      await rm(work, { recursive: true, force: true });
    });

    test('the page comes over HTTPS with every security header of the server, plus HSTS', async () => {
      const page = await instance.get('/');
      assert.equal(page.status, 200);
      assert.match(page.body.toString(), /<title>tls1<\/title>/);
      assertSecurityHeaders(page.headers, { hsts: true }, 'on /');
      assert.equal(page.headers['cache-control'], 'no-cache');
      assert.match(page.headers['content-type'] ?? '', /^text\/html/);
    });

    test('errors and /healthz carry the headers too; /healthz reports the release version', async () => {
      const missing = await instance.get('/no-such-file');
      assert.equal(missing.status, 404);
      assertSecurityHeaders(missing.headers, { hsts: true }, 'on 404');

      const health = await instance.get('/healthz');
      assert.equal(health.status, 200);
      assertSecurityHeaders(health.headers, { hsts: true }, 'on /healthz');
      assert.equal((JSON.parse(health.body.toString()) as { version: string }).version, release.app.version);
    });

    test('hashed assets: precompressed brotli passes through, immutable caching, ETag revalidation, ranges', async () => {
      const script = release.app.scriptPath;
      const compressed = await instance.get(script, { headers: { 'accept-encoding': 'br' } });
      assert.equal(compressed.status, 200);
      assert.equal(compressed.headers['content-encoding'], 'br');
      assert.equal(brotliDecompressSync(compressed.body).toString(), release.app.scriptBody);
      assert.equal(compressed.headers['cache-control'], 'public, max-age=31536000, immutable');
      assertSecurityHeaders(compressed.headers, { hsts: true }, 'on a hashed asset');

      const etag = compressed.headers.etag;
      assert.ok(etag);
      const revalidated = await instance.get(script, { headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
      assert.equal(revalidated.status, 304);

      const partial = await instance.get(script, { headers: { range: 'bytes=7-12' } });
      assert.equal(partial.status, 206);
      assert.equal(partial.body.toString(), release.app.scriptBody.slice(7, 13));
    });

    test('plain HTTP redirects to the same URL on HTTPS', async () => {
      const response = await request(instance.httpPort, '/assets/x.js?v=1', { headers: { host: DOMAIN } });
      assert.equal(response.status, 308);
      // Caddy 2.6 leaves out a non-default HTTPS port; in production it is 443 anyway.
      assert.match(
        response.headers.location ?? '',
        new RegExp(`^https://${DOMAIN}(:${instance.httpsPort})?/assets/x\\.js\\?v=1$`),
      );
    });

    test('the server port itself is plain HTTP on loopback, behind the proxy', async () => {
      const [slot] = instance.systemd.runningPorts();
      assert.ok(slot !== undefined);
      const direct = await request(slot, '/healthz');
      assert.equal(direct.status, 200);
      // --hsts in the unit: the server sends HSTS although it speaks HTTP, because Caddy adds TLS.
      assertSecurityHeaders(direct.headers, { hsts: true }, 'direct');
    });
  },
);
