// Issue 18: a model download the server's death cuts mid-way says so in words, and once the server is
// back the download resumes from the bytes that arrived (a Range request) instead of starting over.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, startBuiltServer, type RunningServer } from './built-app.js';
import { waitForApp } from './screening-page.js';

// Wasm backends and the tiny model keep this fast; fp32 is not precached, so it is downloaded on first use.
const APP_QUERY = '/?backend=wasm&model=tiny';
const CUT_FILE = /\/models\/tiny\/2\/onnx-fp32\/model\.onnx$/;

interface Served {
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
}

interface Cut {
  path: string;
  /** Body bytes passed on before the rest was held back. */
  sent: number;
}

/**
 * The network between Chromium and the built server: logs what is asked, can let only the first half of
 * one response through and hold the rest, and follows the server to its new port after a restart. A held
 * response ends with the server's connection: when the server dies, the browser's download is cut.
 * Model files pass as `no-store`, so that Chromium's HTTP cache cannot resume a cut download by itself
 * and hide what the app does.
 */
async function startNetwork(target: string) {
  let upstream = new URL(target);
  const served: Served[] = [];
  let cutNext: { pattern: RegExp; reached: (cut: Cut) => void } | null = null;
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const entry: Served = {
      path,
      range: req.headers.range ?? null,
      ifRange: (req.headers['if-range'] as string | undefined) ?? null,
      status: 0,
    };
    served.push(entry);
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, path, method: req.method, headers: req.headers },
      (answer) => {
        entry.status = answer.statusCode ?? 502;
        const headers = { ...answer.headers };
        if (path.startsWith('/models/')) headers['cache-control'] = 'no-store';
        res.writeHead(entry.status, headers);
        const cut = cutNext && cutNext.pattern.test(path) && entry.status === 200 ? cutNext : null;
        if (!cut) {
          answer.pipe(res);
          return;
        }
        cutNext = null;
        const half = Math.floor(Number(answer.headers['content-length']) / 2);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          const part = chunk.subarray(0, Math.max(0, half - sent));
          if (part.length) res.write(part);
          sent += part.length;
          if (sent === half && part.length) cut.reached({ path, sent });
        });
        // The rest waits for the server's connection to end: its death cuts the download.
        answer.socket.once('close', () => res.destroy());
      },
    );
    // A server that is not there: the browser's connection is reset, as when it talks to the server itself.
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer(forward);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    /** Requests whose path matches, in order. */
    served: (pattern: RegExp) => served.filter((entry) => pattern.test(entry.path)),
    /** Resolves once the first half of the next whole (200) response whose path matches has gone through. */
    cutNextHalfWay: (pattern: RegExp) =>
      new Promise<Cut>((reached) => {
        cutNext = { pattern, reached };
      }),
    retarget: (next: string) => {
      upstream = new URL(next);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

async function killServer(server: RunningServer): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return;
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGKILL');
  await exited;
}

describe('a model download when the server dies mid-way', () => {
  let server: RunningServer;
  let network: Awaited<ReturnType<typeof startNetwork>>;
  let browser: Browser;

  before(async () => {
    server = await startBuiltServer();
    network = await startNetwork(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await network?.stop();
    await server?.stop();
  });

  it(
    'says the server stopped answering, and once it is back resumes from the bytes that arrived',
    { timeout: 300000 },
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      // First visit: the service worker stores the app; fp32 then goes through its model route.
      await page.goto(`${network.url}${APP_QUERY}`);
      await waitForApp(page, { offline: true });

      const cutReached = network.cutNextHalfWay(CUT_FILE);
      await page.goto(`${network.url}${APP_QUERY}&weights=fp32`);
      const cut = await cutReached;
      await killServer(server);

      await page.locator('fg-app [role=tab]#tab-status').click();
      const explained = page.locator('fg-status-panel .notice.error', { hasText: 'the server stopped answering' });
      await explained.waitFor({ timeout: 60000 });
      assert.match(
        (await explained.textContent())!.replace(/\s+/g, ' '),
        /The download of tiny v2 stopped at [\d.]+ KB of [\d.]+ KB: the server stopped answering\./,
      );

      server = await startBuiltServer();
      network.retarget(server.url);
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await waitForApp(page);

      const asked = network.served(CUT_FILE);
      assert.deepEqual(
        asked.map(({ range, status }) => ({ range, status })),
        [
          { range: null, status: 200 },
          { range: `bytes=${cut.sent}-`, status: 206 },
        ],
        'the cut file: asked whole once, then only its rest',
      );
      assert.match(asked[1]!.ifRange ?? '', /^"/, 'the rest asked If-Range with the first answer’s ETag');

      const stored = await page.evaluate(async () => ({
        model: (await (await caches.open('fundus-grader-models-tiny-2')).keys()).map((r) => new URL(r.url).pathname),
        parts: (await caches.has('fundus-grader-partial-downloads'))
          ? (await (await caches.open('fundus-grader-partial-downloads')).keys()).length
          : 0,
      }));
      assert.ok(
        stored.model.includes('/models/tiny/2/onnx-fp32/model.onnx'),
        'the resumed file is stored for offline use',
      );
      assert.equal(stored.parts, 0, 'no part is left once the file is complete');
      await context.close();
    },
  );
});
