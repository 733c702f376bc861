import { once } from 'node:events';
import type { Server } from 'node:net';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Misbehaving TCP clients and bounded waits on what the server does about them. Every wait
 * here gives up after a limit and reports false instead of hanging the test run.
 */

/** Generous allowance for a loaded machine on top of any configured timeout. */
export const SLACK_MS = 3000;

/**
 * A connection that sends nothing. `reading: false` also never reads, so it does not even see
 * the server's FIN: only the server can free the connection.
 */
export async function openSilentSocket(port: number, options: { reading?: boolean } = {}): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // a reset is one of the outcomes under test, not a failure
  if (options.reading === false) socket.pause();
  else socket.resume();
  await once(socket, 'connect');
  return socket;
}

/** True once the socket has closed, false if it is still open after `ms`. */
export async function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.closed) return true;
  return settlesWithin(once(socket, 'close'), ms);
}

/** True if `promise` settles within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const gaveUp = new AbortController();
  const settled = promise.then(
    () => true,
    () => true,
  );
  const timedOut = sleep(ms, false, { signal: gaveUp.signal }).catch(() => false);
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    gaveUp.abort();
  }
}

/** Open TCP connections the server holds, as net.Server counts them. */
export function connectionCount(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Polls until the server holds exactly `count` connections; false if it still does not after `ms`. */
export async function reachesConnectionCount(server: Server, count: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if ((await connectionCount(server)) === count) return true;
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
}
