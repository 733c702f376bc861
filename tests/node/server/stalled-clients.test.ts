import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFixtureRoot, type FixtureRoot } from './support/fixture-root.js';
import { request } from './support/http-client.js';
import { openSilentSocket, reachesConnectionCount, settlesWithin, SLACK_MS } from './support/raw-sockets.js';
import { startServer } from './support/test-server.js';

const LINGER_MS = 200;
const HEADERS_TIMEOUT_MS = 300;
const LONG_MS = 60_000;

/**
 * What a client sends to get each of the replies the server writes straight to the socket. The
 * headers and request timeouts stay long except where the case needs them: Node's own timeout
 * checks free some of these connections too, and would hide whether the reply lets go of them.
 */
const BAD_REQUESTS: ReadonlyArray<{ name: string; bytes: string; headersTimeoutMs?: number }> = [
  { name: 'parser 400', bytes: 'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n' },
  { name: 'parser 405', bytes: 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: '431', bytes: `GET / HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20 * 1024)}\r\n\r\n` },
  { name: 'CONNECT 405', bytes: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n' },
  { name: '408', bytes: 'GET / HTTP/1.1\r\nHost: x\r\n', headersTimeoutMs: HEADERS_TIMEOUT_MS },
];

describe('clients that neither read nor close', () => {
  let fixture: FixtureRoot;
  before(async () => {
    fixture = await createFixtureRoot();
  });
  after(() => fixture.cleanup());

  test('the server frees the connection errorLingerMs after its own 400, 405, 431, CONNECT and 408 replies', async () => {
    for (const { name, bytes, headersTimeoutMs } of BAD_REQUESTS) {
      const running = await startServer(fixture.root, {
        limits: { errorLingerMs: LINGER_MS, headersTimeoutMs: headersTimeoutMs ?? LONG_MS, requestTimeoutMs: LONG_MS },
      });
      const netServer = running.server.server;
      const client = await openSilentSocket(running.port, { reading: false });
      try {
        assert.ok(await reachesConnectionCount(netServer, 1, SLACK_MS), `${name}: connection accepted`);
        client.write(bytes, 'latin1');
        // The 408 is only written once the headers timeout has passed.
        const freed = await reachesConnectionCount(netServer, 0, (headersTimeoutMs ?? 0) + LINGER_MS + SLACK_MS);
        assert.ok(freed, `${name}: the server still holds the connection of a client that does not read`);
        assert.equal(client.destroyed, false, `${name}: the client itself never closed`);
        assert.equal(running.accessLog.length, 1, `${name}: answered before the connection was dropped`);
      } finally {
        client.destroy();
        await running.close();
      }
    }
  });

  test('a client that resets its connection after the CONNECT reply does not take the server down', async () => {
    // Node leaves a CONNECT socket without an 'error' listener: an unhandled reset would crash the process.
    const running = await startServer(fixture.root, { limits: { errorLingerMs: LONG_MS } });
    const client = await openSilentSocket(running.port, { reading: false });
    try {
      client.write(connectRequest(), 'latin1');
      assert.ok(await answered(running.accessLog), 'CONNECT was answered');
      assert.equal(running.accessLog[0]?.status, 405);
      client.resetAndDestroy();
      assert.ok(await reachesConnectionCount(running.server.server, 0, SLACK_MS), 'the reset connection is gone');
      assert.equal((await request(running.port, '/healthz')).status, 200);
    } finally {
      client.destroy();
      await running.close();
    }
  });

  test("close() still frees a stalled CONNECT client at the shutdown deadline, beyond Node's own connection list", async () => {
    const shutdownTimeoutMs = 300;
    const running = await startServer(fixture.root, { limits: { errorLingerMs: LONG_MS, shutdownTimeoutMs } });
    const client = await openSilentSocket(running.port, { reading: false });
    try {
      client.write(connectRequest(), 'latin1');
      assert.ok(await answered(running.accessLog), 'CONNECT was answered');
      assert.ok(
        await settlesWithin(running.close(), shutdownTimeoutMs + SLACK_MS),
        'close() waits for the CONNECT socket',
      );
    } finally {
      client.destroy();
      await running.close();
    }
  });
});

const connectRequest = (): string => BAD_REQUESTS.find(({ name }) => name === 'CONNECT 405')?.bytes ?? '';

/** Waits (bounded) until the server has logged a reply. */
async function answered(accessLog: readonly unknown[]): Promise<boolean> {
  const deadline = Date.now() + SLACK_MS;
  while (accessLog.length === 0 && Date.now() < deadline) await sleep(25);
  return accessLog.length > 0;
}
