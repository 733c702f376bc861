import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, cacheControlFor } from '../../../src/server/cache-policy.js';

const policy = (path: string): string => cacheControlFor(path.split('/'));

test('content-hashed names under assets/ are immutable, other assets revalidate', () => {
  for (const path of [
    'assets/index-AB12cd34.js',
    'assets/index-XY98ZW76.css',
    'assets/app-ABCDEFGH12.js.map',
    'assets/chunks/a-b-12345678.js',
  ]) {
    assert.equal(policy(path), CACHE_IMMUTABLE, path);
  }
  for (const path of [
    'assets/index.js',
    'assets/index-ABC123.js',
    'assets/index-ABCD_123.js',
    'assets/-ABCDEFGH.js',
    'static/index-AB12cd34.js',
  ]) {
    assert.equal(policy(path), CACHE_REVALIDATE, path);
  }
});

test('vendor/ is immutable; models only inside <id>/<version>/', () => {
  assert.equal(policy('vendor/onnxruntime-web-1.30.0/ort.wasm'), CACHE_IMMUTABLE);
  assert.equal(policy('models/resnet50-tfjs/1.0.0/model.json'), CACHE_IMMUTABLE);
  assert.equal(policy('models/resnet50-onnx/1.0.0/sub/shard.bin'), CACHE_IMMUTABLE);
  assert.equal(policy('models/manifest.json'), CACHE_REVALIDATE);
  assert.equal(policy('models/resnet50-tfjs/notes.json'), CACHE_REVALIDATE);
});

test('the app shell revalidates', () => {
  for (const path of [
    'index.html',
    'bench.html',
    'offline.html',
    'sw.js',
    'manifest.webmanifest',
    'icons/icon-192.png',
  ]) {
    assert.equal(policy(path), CACHE_REVALIDATE, path);
  }
});
