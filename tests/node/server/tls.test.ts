import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertSecurityHeaders } from './support/assertions.js';
import { startCli } from './support/cli-process.js';
import { createFixtureRoot, type FixtureRoot } from './support/fixture-root.js';
import { request } from './support/http-client.js';
import { startServer } from './support/test-server.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('TLS', { skip: hasOpenssl ? false : 'openssl CLI not found' }, () => {
  let fixture: FixtureRoot;
  let certDir: string;
  let cert: string;
  let key: string;

  before(async () => {
    fixture = await createFixtureRoot();
    certDir = await mkdtemp(join(tmpdir(), 'fg-server-tls-'));
    const made = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
    ]);
    assert.equal(made.status, 0, made.stderr.toString());
    cert = await readFile(join(certDir, 'cert.pem'), 'utf8');
    key = await readFile(join(certDir, 'key.pem'), 'utf8');
  });
  after(async () => {
    await fixture.cleanup();
    await rm(certDir, { recursive: true, force: true });
  });

  test('the API serves HTTPS with HSTS on every response, parser errors included', async () => {
    const running = await startServer(fixture.root, { tls: { cert, key } });
    try {
      const ok = await request(running.port, '/index.html', { ca: cert });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, fixture.files.get('/index.html'));
      assertSecurityHeaders(ok.headers, { hsts: true });

      const missing = await request(running.port, '/missing', { ca: cert });
      assert.equal(missing.status, 404);
      assertSecurityHeaders(missing.headers, { hsts: true });

      const tooLarge = await request(running.port, '/', { ca: cert, headers: { 'x-filler': 'a'.repeat(20_000) } });
      assert.equal(tooLarge.status, 431);
      assertSecurityHeaders(tooLarge.headers, { hsts: true });

      await assert.rejects(request(running.port, '/'), 'plain HTTP on the TLS port must fail');
    } finally {
      await running.close();
    }
  });

  test('the CLI reads --cert/--key files and serves HTTPS', async () => {
    const cli = await startCli([
      '--root', fixture.root, '--quiet', '--cert', join(certDir, 'cert.pem'), '--key', join(certDir, 'key.pem'),
    ]);
    try {
      assert.match(cli.stderr(), /on https:\/\/127\.0\.0\.1:\d+/);
      const response = await request(cli.port, '/healthz', { ca: cert });
      assert.equal(response.status, 200);
      assertSecurityHeaders(response.headers, { hsts: true });
      assert.equal(cli.stdout(), '', '--quiet: no access log');
    } finally {
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
    }
  });
});
