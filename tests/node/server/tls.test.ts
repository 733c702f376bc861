import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertSecurityHeaders } from './support/assertions.js';
import { startCli } from './support/cli-process.js';
import { createFixtureRoot, type FixtureRoot } from './support/fixture-root.js';
import { request } from './support/http-client.js';
import {
  closedWithin,
  openSilentSocket,
  reachesConnectionCount,
  settlesWithin,
  SLACK_MS,
} from './support/raw-sockets.js';
import { testToolSkipReason } from '../../../tools/test-tools.mjs';
import { startServer } from './support/test-server.js';
import { pauseAfterFirstChunk } from './support/paused-download.js';

const noOpenssl = testToolSkipReason('openssl');
const BIG_SIZE = 24 * 1024 * 1024; // far more than socket buffers hold, so it is still in flight
/** A TLS record header announcing a 512-byte ClientHello that never follows. */
const HALF_CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]);

describe('TLS', { skip: noOpenssl ?? false }, () => {
  let fixture: FixtureRoot;
  let certDir: string;
  let cert: string;
  let key: string;

  before(async () => {
    fixture = await createFixtureRoot();
    certDir = await mkdtemp(join(tmpdir(), 'fg-server-tls-'));
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
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
      '--root',
      fixture.root,
      '--quiet',
      '--cert',
      join(certDir, 'cert.pem'),
      '--key',
      join(certDir, 'key.pem'),
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

  test('a connection that never finishes its TLS handshake is closed after tlsHandshakeTimeoutMs', async () => {
    const handshakeTimeoutMs = 300;
    const running = await startServer(fixture.root, {
      tls: { cert, key },
      limits: { tlsHandshakeTimeoutMs: handshakeTimeoutMs },
    });
    const silent = await openSilentSocket(running.port);
    const halfHello = await openSilentSocket(running.port);
    halfHello.write(HALF_CLIENT_HELLO);
    try {
      assert.ok(
        await closedWithin(silent, handshakeTimeoutMs + SLACK_MS),
        'a client that says nothing is still connected',
      );
      assert.ok(await closedWithin(halfHello, handshakeTimeoutMs + SLACK_MS), 'a half ClientHello is still connected');
      assert.equal(
        (await request(running.port, '/healthz', { ca: cert })).status,
        200,
        'prompt clients are still served',
      );
    } finally {
      silent.destroy();
      halfHello.destroy();
      await running.close();
    }
  });

  test('close() drops connections still in their handshake at once, and lets in-flight HTTPS responses finish', async () => {
    await writeFile(join(fixture.root, 'big.bin'), Buffer.alloc(BIG_SIZE, 'fundus'));
    // Both timeouts far beyond the bounds below: only close() itself can free these connections in time.
    const running = await startServer(fixture.root, {
      tls: { cert, key },
      limits: { tlsHandshakeTimeoutMs: 60_000, shutdownTimeoutMs: 60_000 },
    });
    const download = await startPausedHttpsDownload(running.port, cert);
    const silent = [await openSilentSocket(running.port), await openSilentSocket(running.port)];
    silent[1]?.write(HALF_CLIENT_HELLO);
    let closing: Promise<void> | undefined;
    try {
      assert.ok(await reachesConnectionCount(running.server.server, 3, SLACK_MS), 'all three connections accepted');
      closing = running.close();
      for (const socket of silent)
        assert.ok(await closedWithin(socket, SLACK_MS), 'a connection in its handshake was kept');
      assert.equal(await settlesWithin(closing, 200), false, 'close() must wait for the paused download');
      assert.equal((await download.finish()).length, BIG_SIZE);
      assert.ok(await settlesWithin(closing, SLACK_MS), 'close() resolves once the download is done');
    } finally {
      for (const socket of silent) socket.destroy();
      download.res.destroy();
      await (closing ?? running.close());
    }
  });

  test('the CLI exits on SIGTERM within the promised 10 s while a client sits in its TLS handshake', async () => {
    const cli = await startCli([
      '--root',
      fixture.root,
      '--quiet',
      '--cert',
      join(certDir, 'cert.pem'),
      '--key',
      join(certDir, 'key.pem'),
    ]);
    const silent = await openSilentSocket(cli.port);
    try {
      // Connections are accepted in order: once a later one is answered, the silent one is the server's.
      assert.equal((await request(cli.port, '/healthz', { ca: cert })).status, 200);
      cli.child.kill('SIGTERM');
      assert.ok(await settlesWithin(cli.exited, 10_000 + SLACK_MS), 'the CLI is still running');
      assert.equal(await cli.exited, 0);
      assert.ok(await closedWithin(silent, SLACK_MS));
    } finally {
      silent.destroy();
      cli.child.kill('SIGKILL');
    }
  });
});

/** Starts an HTTPS download of /big.bin and stops reading after the first chunk; `finish()` reads the rest. */
function startPausedHttpsDownload(port: number, ca: string) {
  return pauseAfterFirstChunk(
    httpsRequest({ host: '127.0.0.1', port, path: '/big.bin', ca, servername: 'localhost', agent: false }),
  );
}
