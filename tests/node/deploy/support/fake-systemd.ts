import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Stands in for systemd in the deploy tests (there is none here). The release tool calls
 * fake-systemctl, which forwards its arguments over loopback TCP to this object; this process
 * then starts fundus-grader@<port> from the ExecStart= line of the real unit file (node and /opt
 * paths moved into the scratch root). Being the parent, it reaps the servers and can always stop them.
 */
export interface FakeSystemd {
  /** For fake-systemctl: FAKE_SYSTEMD_PORT. */
  readonly port: number;
  /** Every command received, e.g. "restart fundus-grader@8081.service". */
  readonly calls: string[];
  runningPorts(): number[];
  close(): Promise<void>;
}

const UNIT = /^fundus-grader@(\d+)\.service$/;

export async function startFakeSystemd(root: string, logDir: string): Promise<FakeSystemd> {
  const running = new Map<number, ChildProcess>();
  const calls: string[] = [];

  const startSlot = async (port: number): Promise<void> => {
    const unit = await readFile(join(root, 'etc/systemd/system/fundus-grader@.service'), 'utf8');
    const execStart = /^ExecStart=(.+)$/m.exec(unit)?.[1];
    if (execStart === undefined) throw new Error('unit has no ExecStart=');
    const [command, ...args] = execStart
      .replaceAll('%i', String(port))
      .split(/\s+/)
      .map((word) => (word === '/usr/local/bin/node' ? process.execPath : word.replace(/^\/opt\//, `${root}/opt/`)));
    const log = createWriteStream(join(logDir, `${port}.log`), { flags: 'a' });
    await once(log, 'open');
    const child = spawn(command ?? '', args, { stdio: ['ignore', log, log] });
    running.set(port, child);
    child.once('exit', () => {
      if (running.get(port) === child) running.delete(port);
      log.end();
    });
  };

  const stopSlot = async (port: number): Promise<void> => {
    const child = running.get(port);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };

  const handle = async (line: string): Promise<void> => {
    calls.push(line);
    const words = line.split(' ').filter((word) => word !== '--quiet');
    const [verb, ...rest] = words;
    const now = rest.includes('--now');
    for (const unit of rest.filter((word) => word !== '--now')) {
      const port = Number(UNIT.exec(unit)?.[1] ?? NaN);
      if (Number.isNaN(port)) throw new Error(`unexpected unit ${unit}`);
      if (verb === 'restart') {
        await stopSlot(port);
        await startSlot(port);
      } else if (verb === 'stop' || (verb === 'disable' && now)) {
        await stopSlot(port);
      } else if (verb !== 'enable' && verb !== 'disable') {
        throw new Error(`unsupported: ${line}`);
      }
    }
  };

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    createInterface({ input: socket }).once('line', (line) => {
      handle(line).then(
        () => socket.end('ok\n'),
        (error: unknown) => socket.end(`${error instanceof Error ? error.message : String(error)}\n`),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    calls,
    runningPorts: () => [...running.keys()].sort(),
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await Promise.all(
        [...running.values()].map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGKILL');
          await exited;
        }),
      );
    },
  };
}
