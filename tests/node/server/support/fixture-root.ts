import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

/** A dist/ look-alike in a temp folder, with a sibling folder the server must never reveal. */
export interface FixtureRoot {
  /** The folder to serve. */
  readonly root: string;
  /** Outside the root: holds secret.txt. */
  readonly outside: string;
  /** Identity bytes of every regular file, by URL path. */
  readonly files: ReadonlyMap<string, Buffer>;
  cleanup(): Promise<void>;
}

export const SECRET = 'outside-the-root-secret';
export const HASHED_JS = '/assets/index-AB12cd34.js';
export const HASHED_CSS = '/assets/index-XY98ZW76.css';
export const VENDOR_WASM = '/vendor/onnxruntime-web-1.30.0/ort-wasm-simd-threaded.wasm';
export const MODEL_BIN = '/models/resnet50-tfjs/1.0.0/group1-shard1of1.bin';
/** 4096 bytes where byte i is i % 251, so any slice can be checked. */
export const LARGE_BIN = '/models/resnet50-onnx/1.0.0/model.onnx';

const patterned = (size: number): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => i % 251));

const FILES: Readonly<Record<string, string | Buffer>> = {
  '/index.html': '<!doctype html><title>Fundus Grader</title>',
  '/bench.html': '<!doctype html><title>bench</title>',
  '/offline.html': '<!doctype html><title>offline</title>',
  '/sw.js': 'self.addEventListener("fetch", () => {});',
  '/manifest.webmanifest': '{"name":"Fundus Grader"}',
  '/icons/icon-192.png': Buffer.from('89504e470d0a1a0a', 'hex'),
  '/icons/favicon.ico': Buffer.from([0, 0, 1, 0]),
  '/icons/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  '/icons/photo.webp': Buffer.from('RIFF0000WEBP'),
  '/icons/photo.jpg': Buffer.from([0xff, 0xd8, 0xff]),
  [HASHED_JS]: 'export const grade = 2;\n'.repeat(40),
  [HASHED_CSS]: ':root { color: black; }\n'.repeat(40),
  '/assets/index-AB12cd34.js.map': '{"version":3}',
  '/assets/unhashed.js': 'export {};',
  [VENDOR_WASM]: Buffer.concat([Buffer.from('0061736d01000000', 'hex'), Buffer.alloc(600)]),
  '/vendor/onnxruntime-web-1.30.0/ort-wasm-simd-threaded.mjs': 'export default 1;',
  '/models/manifest.json': '{"models":[]}',
  '/models/resnet50-tfjs/1.0.0/model.json': '{"format":"graph-model"}',
  [MODEL_BIN]: patterned(300),
  [LARGE_BIN]: patterned(4096),
  '/notes.txt': 'plain text',
  '/data.unknownext': 'mystery',
  '/empty.txt': '',
  '/.env': SECRET,
  '/.hidden/inside.txt': SECRET,
};

// Precompressed siblings, as the build writes them.
const BROTLI = [HASHED_JS, VENDOR_WASM, '/index.html'];
const GZIP = [HASHED_JS, HASHED_CSS, '/index.html'];

export async function createFixtureRoot(): Promise<FixtureRoot> {
  const base = await mkdtemp(join(tmpdir(), 'fg-server-'));
  const root = join(base, 'dist');
  const outside = join(base, 'outside');
  const write = async (urlPath: string, content: string | Buffer): Promise<void> => {
    const file = join(root, ...urlPath.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  };

  const files = new Map<string, Buffer>();
  for (const [urlPath, content] of Object.entries(FILES)) {
    files.set(urlPath, Buffer.from(content));
    await write(urlPath, content);
  }
  for (const urlPath of BROTLI) await write(`${urlPath}.br`, brotliCompressSync(files.get(urlPath) ?? ''));
  for (const urlPath of GZIP) await write(`${urlPath}.gz`, gzipSync(files.get(urlPath) ?? ''));

  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), SECRET);
  await symlink(join(outside, 'secret.txt'), join(root, 'escape.txt'));
  await symlink(outside, join(root, 'escape-dir'));
  await symlink(join(root, '.env'), join(root, 'to-dotfile.txt'));
  await symlink(join(root, 'notes.txt'), join(root, 'inside-link.txt'));
  files.set('/inside-link.txt', Buffer.from(FILES['/notes.txt'] ?? ''));

  return { root, outside, files, cleanup: () => rm(base, { recursive: true, force: true }) };
}
