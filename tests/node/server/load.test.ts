import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import autocannon from 'autocannon';
import {
  createFixtureRoot,
  HASHED_CSS,
  HASHED_JS,
  MODEL_BIN,
  VENDOR_WASM,
  type FixtureRoot,
} from './support/fixture-root.js';
import { startServer, type RunningServer } from './support/test-server.js';

let fixture: FixtureRoot;
let running: RunningServer;

before(async () => {
  fixture = await createFixtureRoot();
  running = await startServer(fixture.root);
});
after(async () => {
  await running.close();
  await fixture.cleanup();
});

test('3 s of 200 concurrent keep-alive connections: no errors, no timeouts, only 2xx', async () => {
  const browserLike = { 'accept-encoding': 'gzip, deflate, br, zstd' };
  const result = await autocannon({
    url: `http://127.0.0.1:${running.port}`,
    connections: 200,
    duration: 3,
    timeout: 10,
    requests: [
      { method: 'GET', path: '/', headers: browserLike },
      { method: 'GET', path: HASHED_JS, headers: browserLike },
      { method: 'GET', path: HASHED_CSS, headers: browserLike },
      { method: 'GET', path: VENDOR_WASM, headers: browserLike },
      { method: 'GET', path: MODEL_BIN, headers: { range: 'bytes=0-99' } },
      // No HEAD: autocannon's parser expects a body after Content-Length and stalls on it.
      { method: 'GET', path: '/manifest.webmanifest' },
      { method: 'GET', path: '/models/manifest.json' },
      { method: 'GET', path: '/healthz' },
    ],
  });
  assert.equal(result.errors, 0, 'errors');
  assert.equal(result.timeouts, 0, 'timeouts');
  assert.equal(result.non2xx, 0, 'non-2xx');
  assert.ok(result.requests.total > 1000, `only ${result.requests.total} requests completed`);
  assert.deepEqual(running.errors, []);
  console.log(
    `load: ${result.requests.total} requests, ${Math.round(result.requests.average)} req/s, ` +
      `p99 ${result.latency.p99} ms, ${result['2xx']} 2xx`,
  );
});
