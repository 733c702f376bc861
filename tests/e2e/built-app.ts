// Serves the built dist/ with the built server (build/server.mjs) and drives Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../tools/chromium.mjs';

export interface RunningServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<number | null>;
}

/** Serves `root` (default dist/) with the built server on a free port. */
export async function startBuiltServer({ root = 'dist' } = {}): Promise<RunningServer> {
  if (!existsSync(`${root}/index.html`) || !existsSync('build/server.mjs')) {
    throw new Error(`${root}/ or build/server.mjs missing: run \`npm run build\` first (npm test does)`);
  }
  const child = spawn(process.execPath, ['build/server.mjs', '--port', '0', '--root', root, '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 15000);
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /serving .* on (http:\/\/[^\s]+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace('127.0.0.1', 'localhost'));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${seen}`)));
  });
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/**
 * `extraArgs`: more Chromium switches, for measurements (e.g. V8 flags); the tests use none. `webgpu`
 * false: without the unsafe WebGPU switches (measurements of the app as a browser runs it by default).
 */
export async function launchChromium(extraArgs: readonly string[] = [], { webgpu = true } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...chromiumArgs({ userDataDir: false, webgpu }), ...extraArgs],
  });
}

/** Collects CSP violations and uncaught errors from every page of a context. */
export async function watchPageProblems(context: BrowserContext): Promise<string[]> {
  const problems: string[] = [];
  await context.exposeFunction('__reportProblem', (text: string) => problems.push(text));
  await context.addInitScript(() => {
    const report = (globalThis as unknown as { __reportProblem(text: string): void }).__reportProblem;
    document.addEventListener('securitypolicyviolation', (e) =>
      report(`CSP: ${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  });
  context.on('page', (page) => page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`)));
  return problems;
}

// ---- deploys and a network that can be held (tests/e2e/offline-reliability.e2e.ts) ----

export interface GatedProxy {
  url: string;
  /** Requests whose path matches wait (unanswered) until release() or stop(). */
  hold(pattern: RegExp): void;
  /** Answers the held requests and stops holding. */
  release(): void;
  /** How many requests were held so far (answered or not). */
  heldCount(): number;
  /** Resolves once `count` requests have been held in all. */
  waitForHeld(count: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A proxy in front of `target` that can hold requests: a download in flight that does not finish, or a
 * file the service worker's repair fetches, on cue. Same answers as the server otherwise.
 */
export async function startGatedProxy(target: string): Promise<GatedProxy> {
  const upstream = new URL(target);
  let pattern: RegExp | null = null;
  let held = 0;
  let waiting: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const heldListeners = new Set<() => void>();
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const server = createServer((req, res) => {
    if (pattern?.test(req.url ?? '')) {
      held += 1;
      waiting.push(() => forward(req, res));
      heldListeners.forEach((listener) => listener());
      return;
    }
    forward(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    hold: (next) => (pattern = next),
    release: () => {
      pattern = null;
      const queued = waiting;
      waiting = [];
      queued.forEach((answer) => answer());
    },
    heldCount: () => held,
    waitForHeld: (count) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (held < count) return;
          heldListeners.delete(check);
          resolve();
        };
        heldListeners.add(check);
        check();
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        waiting = [];
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

interface ManifestEntry {
  url: string;
  revision: string | null;
  integrity?: string;
}

/** The precache manifest injected into a built sw.js (workbox-build writes it as one JSON array literal). */
function findManifest(sw: string): { start: number; end: number; entries: ManifestEntry[] } {
  const start = sw.search(/\[\{"(integrity|revision|url)":/);
  if (start < 0) throw new Error('sw.js: no precache manifest found');
  let depth = 0;
  let inString = false;
  for (let i = start; i < sw.length; i++) {
    const c = sw[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return { start, end: i + 1, entries: JSON.parse(sw.slice(start, i + 1)) as ManifestEntry[] };
    }
  }
  throw new Error('sw.js: unterminated precache manifest');
}

let deploys = 0;

/**
 * A deploy on a copy of dist/ (`root`), as the build would make it: each file in `changed` (paths under
 * root) gets new bytes and, when its name carries a content hash, a new name; every file that names a
 * renamed one is rewritten (and renamed in turn); the old files are removed from the server; sw.js gets
 * the new manifest (urls, revisions, integrity). Without `changed`, only sw.js changes. Returns the renames
 * (old path → new path, relative to root).
 */
export async function deploy(root: string, changed: readonly string[] = []): Promise<Map<string, string>> {
  deploys += 1;
  let files = 0;
  // A new "content hash": letters and digits, at least 8 (what the server's cache policy and the build expect).
  const newHash = () => `D${deploys}F${(files += 1)}P${process.pid.toString(36).toUpperCase()}`.padEnd(8, 'X');
  const textFiles = (await readdir(root, { recursive: true }))
    .map(String)
    .filter((file) => /\.(js|mjs|html|css|json|webmanifest)$/.test(file) && file !== 'sw.js');
  const contents = new Map<string, Buffer>();
  const renames = new Map<string, string>();
  const queue = [...changed];
  for (const file of changed) contents.set(file, Buffer.concat([await readFile(join(root, file)), Buffer.from(`\n`)]));
  while (queue.length) {
    const file = queue.shift()!;
    const renamed = file.replace(/-([A-Za-z0-9]{8,})(\.\w+)$/, `-${newHash()}$2`);
    if (renamed === file) continue;
    renames.set(file, renamed);
    const name = basename(file);
    for (const other of textFiles) {
      const text = (contents.get(other) ?? (await readFile(join(root, other)))).toString('utf8');
      if (!text.includes(name)) continue;
      contents.set(other, Buffer.from(text.replaceAll(name, basename(renamed))));
      if (!renames.has(other) && !queue.includes(other)) queue.push(other);
    }
  }
  for (const [file, bytes] of contents) {
    const target = renames.get(file) ?? file;
    await writeFile(join(root, target), bytes);
    for (const variant of ['.br', '.gz']) await rm(join(root, `${file}${variant}`), { force: true });
    if (target !== file) await rm(join(root, file), { force: true });
  }
  const swPath = join(root, 'sw.js');
  let sw = await readFile(swPath, 'utf8');
  const { start, end, entries } = findManifest(sw);
  const next = entries.map((entry) => {
    const bytes = contents.get(entry.url);
    if (!bytes) return entry;
    return {
      ...entry,
      url: renames.get(entry.url) ?? entry.url,
      revision: entry.revision === null ? null : createHash('md5').update(bytes).digest('hex'),
      ...(entry.integrity ? { integrity: `sha256-${createHash('sha256').update(bytes).digest('base64')}` } : {}),
    };
  });
  sw = `${sw.slice(0, start)}${JSON.stringify(next)}${sw.slice(end)}\n// deploy ${deploys}\n`;
  await writeFile(swPath, sw);
  for (const variant of ['.br', '.gz']) await rm(`${swPath}${variant}`, { force: true });
  return renames;
}
