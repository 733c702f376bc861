import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { request, type RawResponse, type RequestOptions } from '../../server/support/http-client.js';
import { startFakeSystemd, type FakeSystemd } from './fake-systemd.js';
import { reservePorts } from './reserved-ports.js';
import { FAKE_SYSTEMCTL, INSTANCE_KIT, SETUP_SCRIPT } from './paths.js';

const run = promisify(execFile);
export const DOMAIN = 'localhost';

function tlsHandshake(port: number, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: DOMAIN }, () => {
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The instance rebuilt on loopback: setup.sh installs the real files into a scratch root, the
 * real release tool switches slots (fake-systemctl → fake-systemd runs the unit's ExecStart=),
 * and Debian's Caddy runs the real Caddyfile with its own local CA instead of Let's Encrypt.
 */
export interface LoopbackInstance {
  readonly root: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly slots: readonly [number, number];
  /** PEM of Caddy's local root CA. */
  readonly ca: string;
  /** Environment under which the instance's scripts run against this scratch root. */
  readonly env: NodeJS.ProcessEnv;
  readonly systemd: FakeSystemd;
  /** `fundus-grader-release <args>` as the instance would run it. */
  release(...args: string[]): Promise<CommandResult>;
  /** HTTPS through Caddy, as a browser would ask for https://localhost/. */
  get(path: string, options?: RequestOptions): Promise<RawResponse>;
  stop(): Promise<void>;
}

export interface LoopbackOptions {
  /** FG_SETTLE_SECONDS for the release tool (default 2, as deployed). */
  readonly settleSeconds?: number;
  readonly healthTimeoutSeconds?: number;
  /** false: no Caddy (tests of the release tool alone). */
  readonly proxy?: boolean;
}

export async function startLoopbackInstance(options: LoopbackOptions = {}): Promise<LoopbackInstance> {
  const base = await mkdtemp(join(tmpdir(), 'fg-deploy-'));
  const root = join(base, 'root');
  const logs = join(base, 'logs');
  const caddyHome = join(base, 'caddy');
  await Promise.all([mkdir(root), mkdir(logs), mkdir(caddyHome)]);
  // Held until stop(): nothing else in the parallel test run may take them meanwhile.
  const reserved = await reservePorts(4);
  const [httpPort = 0, httpsPort = 0, slotA = 0, slotB = 0] = reserved.ports;
  const slots = [slotA, slotB] as const;
  const systemd = await startFakeSystemd(root, logs);
  let caddy: ChildProcess | undefined;
  let caddyLog = '';

  const stop = async (): Promise<void> => {
    if (caddy !== undefined && caddy.exitCode === null && caddy.signalCode === null) {
      const exited = once(caddy, 'exit');
      caddy.kill('SIGTERM');
      await exited;
    }
    await systemd.close();
    await reserved.release();
    await rm(base, { recursive: true, force: true });
  };

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FG_ROOT: root,
    FG_SYSTEMCTL: FAKE_SYSTEMCTL,
    FG_SLOTS: `${slotA} ${slotB}`,
    FG_SETTLE_SECONDS: String(options.settleSeconds ?? 2),
    FG_HEALTH_TIMEOUT_SECONDS: String(options.healthTimeoutSeconds ?? 30),
    FAKE_SYSTEMD_PORT: String(systemd.port),
    PATH: `${join(root, 'usr/local/sbin')}:${process.env['PATH'] ?? ''}`,
  };
  const release = (...args: string[]): Promise<CommandResult> =>
    run('fundus-grader-release', args, { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: typeof error.code === 'number' ? error.code : 1,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );

  try {
    await run(SETUP_SCRIPT, ['--domain', 'grader.example.org'], { env });
    let ca = '';
    if (options.proxy !== false) {
      caddy = await spawnCaddy(base, caddyHome, { httpPort, httpsPort, slotA, slotB });
      caddy.stderr?.setEncoding('utf8').on('data', (text: string) => (caddyLog += text));
      ca = await waitForHttps(caddy, caddyHome, httpsPort);
    }
    const get = (path: string, requestOptions: RequestOptions = {}): Promise<RawResponse> =>
      request(httpsPort, path, {
        ...requestOptions,
        ca,
        headers: { host: `${DOMAIN}:${httpsPort}`, ...requestOptions.headers },
      });
    return { root, httpPort, httpsPort, slots, ca, env, systemd, release, get, stop };
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${caddyLog}`);
  }
}

interface CaddyPorts {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly slotA: number;
  readonly slotB: number;
}

/** Debian's Caddy running the deployed Caddyfile unchanged, inside test-only global options. */
async function spawnCaddy(base: string, home: string, ports: CaddyPorts): Promise<ChildProcess> {
  const caddyfile = join(base, 'Caddyfile');
  await writeFile(
    caddyfile,
    [
      '{',
      '\tadmin off',
      '\tdefault_bind 127.0.0.1',
      '\tlocal_certs',
      '\tskip_install_trust',
      `\thttp_port ${ports.httpPort}`,
      `\thttps_port ${ports.httpsPort}`,
      '}',
      `import ${join(INSTANCE_KIT, 'Caddyfile')}`,
      '',
    ].join('\n'),
  );
  return spawn('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
    env: {
      ...process.env,
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CONFIG_HOME: join(home, 'config'),
      FG_DOMAIN: DOMAIN,
      FG_SLOT_A: `127.0.0.1:${ports.slotA}`,
      FG_SLOT_B: `127.0.0.1:${ports.slotB}`,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Waits until Caddy completes TLS handshakes for the site; returns the PEM of its local root CA. */
async function waitForHttps(caddy: ChildProcess, home: string, httpsPort: number): Promise<string> {
  const rootCaFile = join(home, 'data/caddy/pki/authorities/local/root.crt');
  const deadline = Date.now() + 15_000;
  while (!existsSync(rootCaFile)) {
    if (caddy.exitCode !== null || Date.now() > deadline) throw new Error('Caddy did not start');
    await sleep(50);
  }
  const ca = await readFile(rootCaFile, 'utf8');
  // The site certificate is issued just after start. A request would wait out lb_try_duration
  // while no slot runs yet, so only the handshake is checked.
  for (;;) {
    try {
      await tlsHandshake(httpsPort, ca);
      return ca;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Caddy serves no HTTPS: ${String(error)}`);
      await sleep(100);
    }
  }
}
