import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createFixtureRoot, HASHED_JS, type FixtureRoot } from './support/fixture-root.js';
import { request } from './support/http-client.js';
import { startServer, type RunningServer } from './support/test-server.js';

// The build emits linked source maps next to every bundle (build.mjs, `sourcemap: 'linked'`).
const MAP = `${HASHED_JS}.map`;

describe('source maps: 404 unless the server is started with sourceMaps (--source-maps)', () => {
  let fixture: FixtureRoot;
  let plain: RunningServer;
  let withMaps: RunningServer;

  before(async () => {
    fixture = await createFixtureRoot();
    plain = await startServer(fixture.root);
    withMaps = await startServer(fixture.root, { sourceMaps: true });
  });
  after(async () => {
    await plain.close();
    await withMaps.close();
    await fixture.cleanup();
  });

  test('by default every spelling of a .map file is 404, for GET and HEAD, while the bundle is served', async () => {
    for (const target of [
      MAP,
      `${HASHED_JS}%2emap`,
      `${HASHED_JS}.%6Dap`,
      `${MAP}?x=1`,
      `http://x${MAP}`,
      `${MAP}.br`,
    ]) {
      for (const method of ['GET', 'HEAD']) {
        const response = await request(plain.port, target, { method });
        assert.equal(response.status, 404, `${method} ${target}`);
        assert.equal(response.headers['cache-control'], 'no-store', `${method} ${target}`);
        assert.ok(!response.body.toString().includes('"version"'), target);
      }
    }
    assert.equal((await request(plain.port, HASHED_JS)).status, 200);
  });

  test('the refusal is by name, case-insensitively, whether or not the file exists', async () => {
    for (const target of ['/assets/INDEX-AB12CD34.JS.MAP', '/missing.map', '/assets/x.Map']) {
      assert.equal((await request(plain.port, target)).status, 404, target);
    }
  });

  test('with sourceMaps the map is served as JSON, cached like the bundle it belongs to', async () => {
    const response = await request(withMaps.port, MAP);
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(response.body, fixture.files.get(MAP));
  });
});
