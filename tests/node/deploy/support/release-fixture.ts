import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompressSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { PACK_RELEASE, SERVER_MAIN } from './paths.js';

const run = promisify(execFile);

/** The server bundled the way build.mjs bundles it (node platform, packages left external). */
export async function bundleServer(outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [SERVER_MAIN],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

export interface FakeApp {
  readonly label: string;
  readonly version: string;
  /** URL path of the content-hashed script index.html loads. */
  readonly scriptPath: string;
  readonly scriptBody: string;
}

/** A dist/ look-alike whose index.html loads one content-hashed script, as the real build does. */
export async function writeFakeApp(dist: string, label: string): Promise<FakeApp> {
  const scriptBody = `export const release = ${JSON.stringify(label)};\n`.repeat(20);
  const hash = createHash('sha256').update(scriptBody).digest('hex').slice(0, 10);
  const scriptPath = `/assets/app-${hash}.js`;
  const files: Record<string, string | Buffer> = {
    'index.html': `<!doctype html><title>${label}</title><script type="module" src="${scriptPath}"></script>\n`,
    [scriptPath.slice(1)]: scriptBody,
    [`${scriptPath.slice(1)}.br`]: brotliCompressSync(scriptBody),
    'sw.js': `// service worker of ${label}\n`,
    'models/manifest.json': JSON.stringify({ label }),
    [`models/demo/${label}/weights.bin`]: Buffer.alloc(4096, label),
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dist, path)), { recursive: true });
    await writeFile(join(dist, path), content);
  }
  return { label, version: `1.0.0-${label}`, scriptPath, scriptBody };
}

export interface PackedRelease {
  readonly app: FakeApp;
  readonly tarball: string;
}

/** Builds a fake app next to a server bundle and packs it with deploy/pack-release. */
export async function packRelease(workDir: string, serverBundle: string, label: string): Promise<PackedRelease> {
  const dir = join(workDir, `src-${label}`);
  const app = await writeFakeApp(join(dir, 'dist'), label);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'fundus-grader', version: app.version }));
  const tarball = join(workDir, `${label}.tar.gz`);
  await run(PACK_RELEASE, [
    '--out',
    tarball,
    '--id',
    label,
    '--dist',
    join(dir, 'dist'),
    '--server',
    serverBundle,
    '--package',
    join(dir, 'package.json'),
  ]);
  return { app, tarball };
}
