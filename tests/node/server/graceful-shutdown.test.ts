import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCli } from './support/cli-process.js';
import { createFixtureRoot, type FixtureRoot } from './support/fixture-root.js';
import { request } from './support/http-client.js';
import { startServer } from './support/test-server.js';
import { pauseAfterFirstChunk } from './support/paused-download.js';

const BIG_SIZE = 24 * 1024 * 1024; // far more than socket buffers hold, so it is still in flight
const bigContent = (): Buffer => Buffer.alloc(BIG_SIZE, 'fundus');
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Starts a download of /big.bin and stops reading after the first chunk; `finish()` reads the rest. */
function startPausedDownload(port: number, agent: Agent | false = false) {
  return pauseAfterFirstChunk(httpRequest({ host: '127.0.0.1', port, path: '/big.bin', agent }));
}

describe('graceful shutdown', () => {
  let fixture: FixtureRoot;

  before(async () => {
    fixture = await createFixtureRoot();
    await writeFile(join(fixture.root, 'big.bin'), bigContent());
  });
  after(() => fixture.cleanup());

  test('CLI on SIGTERM: refuses new connections, finishes the in-flight download, exits 0', async () => {
    const cli = await startCli(['--root', fixture.root]);
    try {
      const download = await startPausedDownload(cli.port);
      assert.equal(download.res.statusCode, 200);
      cli.child.kill('SIGTERM');
      while (!cli.stderr().includes('SIGTERM')) await sleep(20);

      await assert.rejects(request(cli.port, '/index.html'), { code: 'ECONNREFUSED' });
      await sleep(200); // the paused download must survive a while, not merely race the shutdown
      const body = await download.finish();
      assert.equal(body.length, BIG_SIZE);
      assert.equal(sha256(body), sha256(bigContent()));
      assert.equal(await cli.exited, 0);

      const logged = cli
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { path: string; status: number; bytes: number });
      assert.deepEqual(
        logged.map(({ path, status, bytes }) => ({ path, status, bytes })),
        [{ path: '/big.bin', status: 200, bytes: BIG_SIZE }],
      );
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  test('idle keep-alive connections do not hold shutdown up; busy ones close once their response ends', async () => {
    const running = await startServer(fixture.root, { limits: { keepAliveTimeoutMs: 30_000 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      assert.equal((await request(running.port, '/index.html')).status, 200);
      const idle = httpRequest({ host: '127.0.0.1', port: running.port, path: '/notes.txt', agent });
      idle.end();
      const [idleRes] = (await once(idle, 'response')) as [IncomingMessage];
      idleRes.resume();
      await once(idleRes, 'end');

      const download = await startPausedDownload(running.port, agent);
      const closing = running.close();
      await sleep(100);
      assert.equal((await download.finish()).length, BIG_SIZE);
      const started = Date.now();
      await closing;
      assert.ok(Date.now() - started < 2000, 'close() must not wait for the keep-alive timeout');
    } finally {
      agent.destroy();
    }
  });

  test('responses still running at the deadline are cut off, and close() resolves', async () => {
    const running = await startServer(fixture.root, { limits: { shutdownTimeoutMs: 300 } });
    const download = await startPausedDownload(running.port);
    const started = Date.now();
    await running.close();
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 3000, `closed after ${elapsed} ms`);
    // The paused client only notices the reset once it reads again.
    await assert.rejects(download.finish(), { code: 'ECONNRESET' });
    assert.equal(download.res.complete, false);
  });
});
