/**
 * `npm run measure:server`: this server and sirv side by side on the same folder, under autocannon.
 *
 *   npm run measure:server -- [--root dist] [--duration 10] [--rounds 2] [--profile DIR]
 *
 * Builds nothing. The folder is `--root` (`--root dist` for a real build), else a dist-like temp
 * folder (index.html with .br/.gz, a few assets, a 47 MB model file) made for the run and removed
 * after it. Each server runs in a child process of its own: this server as documented
 * (`node --import tsx src/server/main.ts --quiet`), sirv under node:http with what this server does
 * too (ETags, the .br/.gz files, the same security headers). autocannon runs in this process, against
 * one server at a time. Cases: `/` at 100 connections, without and with a browser's Accept-Encoding,
 * and the largest file at 50 and 500 connections; each `--rounds` runs of `--duration` seconds per
 * server, in A B B A order so drift in the machine's other load falls on both alike, averaged.
 *
 * req/s counts completed responses. MB/s (10^6 bytes) counts body bytes received, finished or not:
 * at 500 connections a 47 MB download takes longer than a run, and would otherwise count nothing.
 * The last column compares req/s for `/` and MB/s for the big file. Where /proc exists, each cell
 * also gives the server process's CPU time per request (`/`) or per GB (the big file).
 * `--profile DIR` starts this server with `--cpu-prof --cpu-prof-dir DIR` (a .cpuprofile on exit).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import sirv from 'sirv';
import { securityHeaders } from '../security-headers.js';

const HERE = fileURLToPath(import.meta.url);
const MAIN = join(dirname(HERE), '..', 'main.ts');
const SIRV_CHILD = '--sirv-child';
const BIG_FILE_BYTES = 47_000_000;
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

interface Case {
  readonly label: string;
  readonly path: string;
  readonly connections: number;
  readonly headers?: Record<string, string>;
}

interface Figures {
  readonly requestsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly p99Ms: number;
  /** CPU time the server process used over the run (user + system), or NaN where /proc is missing. */
  readonly serverCpuMs: number;
  readonly requests: number;
  readonly megabytes: number;
  readonly errors: number;
  readonly non2xx: number;
}

interface Target {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
}

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

/** A folder shaped like the build's dist/: small HTML with precompressed siblings, assets, one big model. */
async function makeDistLikeFolder(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'fg-measure-server-'));
  const put = async (path: string, content: Buffer | string, compress = false): Promise<void> => {
    const file = join(root, ...path.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    if (compress) {
      await writeFile(`${file}.br`, brotliCompressSync(content));
      await writeFile(`${file}.gz`, gzipSync(content));
    }
  };
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fundus Grader</title>' +
    '<link rel="manifest" href="/manifest.webmanifest"><link rel="stylesheet" href="/assets/index-AB12cd34.css">' +
    '<script type="module" src="/assets/index-AB12cd34.js"></script></head>' +
    `<body><fg-app></fg-app>${'<!-- padding to a typical shell size -->'.repeat(30)}</body></html>\n`;
  await put('index.html', html, true);
  await put('manifest.webmanifest', '{"name":"Fundus Grader","start_url":"/"}', true);
  await put('assets/index-AB12cd34.js', 'export const grade = 2;\n'.repeat(4000), true);
  await put('assets/index-AB12cd34.css', ':root { color: black; }\n'.repeat(400), true);
  await put('models/resnet50-onnx/1.0.0/model.onnx', randomBytes(BIG_FILE_BYTES));
  return root;
}

/** The largest file that is not a .br/.gz sibling or hidden, as a URL path. */
function largestFile(root: string): string {
  let best = { path: '', size: -1 };
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    const file = join(entry.parentPath, entry.name);
    const path = relative(root, file).split(sep);
    if (!entry.isFile() || /\.(?:br|gz|map)$/.test(entry.name) || path.some((part) => part.startsWith('.'))) continue;
    const { size } = statSync(file);
    if (size > best.size) best = { path: `/${path.join('/')}`, size };
  }
  if (best.size < 0) throw new Error(`no file in ${root}`);
  return best.path;
}

/** Spawns a server and waits for the port it prints on stderr. */
async function startChild(name: string, args: readonly string[], portLine: RegExp): Promise<Target> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const match = portLine.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${String(code)}) before listening: ${stderr}`)));
  });
  return { name, port, child };
}

async function stopChild({ child }: Target): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * Counts each body chunk as it arrives (autocannon's own throughput only counts completed responses),
 * in place of autocannon's own body handling: it keeps every response body as a string (for its
 * verifyBody option), UTF-8-decoding each chunk, which at 47 MB a response is what a run would measure.
 */
function countBodyBytes(client: autocannon.Client, count: (bytes: number) => void): void {
  const queue = (client as unknown as { pipelinedRequests?: { addBody?: unknown } }).pipelinedRequests;
  if (typeof queue?.addBody !== 'function') throw new Error('autocannon changed: no pipelinedRequests.addBody');
  queue.addBody = (chunk: Buffer) => count(chunk.length);
}

// Linux's clock ticks per second for /proc/<pid>/stat; 100 nearly everywhere.
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User + system CPU milliseconds a process has used so far (Linux), else NaN. */
function cpuMs(pid: number | undefined): number {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces: utime, stime are 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

async function measure(target: Target, testCase: Case, durationSeconds: number): Promise<Figures> {
  let bodyBytes = 0;
  const cpuBefore = cpuMs(target.child.pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${target.port}${testCase.path}`,
    connections: testCase.connections,
    duration: durationSeconds,
    // Downloads of a big file at high concurrency outlast the run: never cut them off and reconnect.
    timeout: durationSeconds * 6,
    ...(testCase.headers === undefined ? {} : { headers: testCase.headers }),
    setupClient: (client) => countBodyBytes(client, (bytes) => (bodyBytes += bytes)),
  });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    megabytesPerSecond: bodyBytes / 1e6 / result.duration,
    p99Ms: result.latency.p99,
    serverCpuMs: cpuMs(target.child.pid) - cpuBefore,
    requests: result.requests.total,
    megabytes: bodyBytes / 1e6,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** The sirv side: a plain node:http server, configured as close to this server as sirv allows. */
async function serveWithSirv(root: string): Promise<void> {
  const headers = Object.entries(securityHeaders({ hsts: false }));
  const handler = sirv(root, {
    etag: true,
    brotli: true,
    gzip: true,
    setHeaders: (res) => {
      for (const [name, value] of headers) res.setHeader(name, value);
    },
  });
  const server = createServer((req, res) => handler(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.stderr.write(`sirv on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  process.once('SIGTERM', () => server.close());
}

/** Averages of several runs (errors added up). */
function mean(runs: readonly Figures[]): Figures {
  const average = (pick: (figures: Figures) => number): number =>
    runs.reduce((sum, figures) => sum + pick(figures), 0) / Math.max(1, runs.length);
  return {
    requestsPerSecond: average((f) => f.requestsPerSecond),
    megabytesPerSecond: average((f) => f.megabytesPerSecond),
    p99Ms: average((f) => f.p99Ms),
    serverCpuMs: average((f) => f.serverCpuMs),
    requests: average((f) => f.requests),
    megabytes: average((f) => f.megabytes),
    errors: runs.reduce((sum, f) => sum + f.errors, 0),
    non2xx: runs.reduce((sum, f) => sum + f.non2xx, 0),
  };
}

/**
 * p99 only when responses completed: at 500 connections no 47 MB download finishes within a run.
 * Server CPU per request (small files) or per GB (the big file): what the server spends, whatever
 * else the machine is doing, so steadier than the rates on a busy machine.
 */
function cell(f: Figures, perGigabyte: boolean): string {
  const cpu = perGigabyte
    ? `${format(f.serverCpuMs / (f.megabytes / 1000))} ms CPU/GB`
    : `${format((f.serverCpuMs * 1000) / f.requests)} µs CPU/req`;
  return (
    `${format(f.requestsPerSecond)} req/s, ${format(f.megabytesPerSecond, 1)} MB/s` +
    (f.requestsPerSecond > 0 ? `, p99 ${format(f.p99Ms)} ms` : '') +
    (Number.isFinite(f.serverCpuMs) ? `, ${cpu}` : '') +
    (f.errors + f.non2xx > 0 ? ` (${f.errors} errors, ${f.non2xx} non-2xx)` : '')
  );
}

const format = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(args: readonly string[]): Promise<void> {
  const childRoot = option(args, SIRV_CHILD);
  if (childRoot !== undefined) return serveWithSirv(childRoot);

  const durationSeconds = Number(option(args, '--duration') ?? '10');
  const rounds = Number(option(args, '--rounds') ?? '2');
  const loadBefore = loadavg()[0] ?? 0;
  const profileDir = option(args, '--profile');
  const given = option(args, '--root');
  const root = given ?? (await makeDistLikeFolder());
  const big = largestFile(root);
  const bigMb = statSync(join(root, ...big.split('/'))).size / 1e6;
  const cases: Case[] = [
    { label: '/ (index.html), identity', path: '/', connections: 100 },
    {
      label: '/ (index.html), Accept-Encoding: br',
      path: '/',
      connections: 100,
      headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING },
    },
    { label: `${big} (${format(bigMb, 1)} MB)`, path: big, connections: 50 },
    { label: `${big} (${format(bigMb, 1)} MB)`, path: big, connections: 500 },
  ];

  const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const ours = await startChild(
    'this server',
    [...profile, '--import', 'tsx', MAIN, '--root', root, '--port', '0', '--quiet'],
    / on http:\/\/[^\s]+:(\d+)\n/,
  );
  const theirs = await startChild('sirv', ['--import', 'tsx', HERE, SIRV_CHILD, root], / on http:\/\/[^\s]+:(\d+)\n/);
  const rows: string[] = [];
  try {
    for (const target of [ours, theirs]) {
      // Warm-up: JIT, file cache, the lazy parts of both servers.
      await autocannon({ url: `http://127.0.0.1:${target.port}/`, connections: 10, duration: 1 });
    }
    for (const testCase of cases) {
      // A B B A: drift in the machine's other load falls on both alike.
      const runs = new Map<Target, Figures[]>([
        [ours, []],
        [theirs, []],
      ]);
      for (let round = 0; round < rounds; round++) {
        for (const target of round % 2 === 0 ? [ours, theirs] : [theirs, ours]) {
          process.stderr.write(`${target.name}: ${testCase.label}, ${testCase.connections} connections…\n`);
          runs.get(target)?.push(await measure(target, testCase, durationSeconds));
        }
      }
      const mine = mean(runs.get(ours) ?? []);
      const sirvs = mean(runs.get(theirs) ?? []);
      const isBig = testCase.path === big;
      const ratio = isBig
        ? mine.megabytesPerSecond / sirvs.megabytesPerSecond
        : mine.requestsPerSecond / sirvs.requestsPerSecond;
      rows.push(
        `| ${testCase.label} | ${testCase.connections} | ${cell(mine, isBig)} | ${cell(sirvs, isBig)} | ${format(ratio, 2)} |`,
      );
    }
  } finally {
    await stopChild(ours);
    await stopChild(theirs);
    if (given === undefined) await rm(root, { recursive: true, force: true });
  }
  process.stdout.write(
    `\n${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ` +
      `${rounds} runs of ${durationSeconds} s per server and case (averaged), ` +
      `load average ${format(loadBefore, 1)} before, ${format(loadavg()[0] ?? 0, 1)} after\n\n` +
      '| request | connections | this server | sirv | this / sirv |\n|---|---|---|---|---|\n' +
      `${rows.join('\n')}\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
