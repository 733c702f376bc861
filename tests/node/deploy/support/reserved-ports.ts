import { once } from 'node:events';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports for servers that bind later (Caddy, the release slots), reserved across the test files
 * that run in parallel. Asking the kernel for a free port and closing it again is not enough:
 * until the slot binds, any `listen(0)` in another test (a fake systemd, a test server) may be
 * handed the same port and answer the health check with something that is not our server (CI
 * saw "curl: (1) Received HTTP/0.9"). So the ports come from below the kernel's ephemeral range,
 * which `listen(0)` never uses, and a lock directory per port keeps our own test processes apart.
 */
export const LOCKS = join(tmpdir(), 'fundus-grader-test-ports');
const LOWEST = 10_000;

async function ephemeralLow(): Promise<number> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  return Number(range.trim().split(/\s+/)[0]) || 32768;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of `port` for this process; false while another live test process holds it.
 * The lock of a process that died holding it is cleared and taken.
 */
export async function lockPort(port: number): Promise<boolean> {
  const dir = join(LOCKS, String(port));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => 'NaN'));
      // No pid yet: its owner is between mkdir and writeFile; leave it.
      if (Number.isNaN(owner) || alive(owner)) return false;
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    await writeFile(join(dir, 'pid'), String(process.pid));
    return true;
  }
  return false; // another process cleared and took it first
}

async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  const outcome = await Promise.race([
    once(server, 'listening').then(() => true),
    once(server, 'error').then(() => false),
  ]);
  if (outcome) server.close();
  return outcome;
}

export interface ReservedPorts {
  readonly ports: readonly number[];
  release(): Promise<void>;
}

export async function reservePorts(count: number): Promise<ReservedPorts> {
  await mkdir(LOCKS, { recursive: true });
  const high = (await ephemeralLow()) - 1;
  if (high - LOWEST < 1000) throw new Error(`no room below the ephemeral port range (starts at ${high + 1})`);
  const ports: number[] = [];
  const release = async (): Promise<void> => {
    await Promise.all(ports.map((port) => rm(join(LOCKS, String(port)), { recursive: true, force: true })));
  };
  let candidate = LOWEST + Math.floor(Math.random() * (high - LOWEST));
  for (let tried = 0; ports.length < count; tried += 1, candidate = candidate >= high ? LOWEST : candidate + 1) {
    if (tried > high - LOWEST) {
      await release();
      throw new Error(`could not reserve ${count} ports in ${LOWEST}–${high}`);
    }
    if (!(await lockPort(candidate))) continue;
    if (await bindable(candidate)) ports.push(candidate);
    else await rm(join(LOCKS, String(candidate)), { recursive: true, force: true });
  }
  return { ports, release };
}
