/**
 * The folder the static server serves: dist/ itself, or, with --model-dir, a scratch copy of dist/
 * whose models/ is that folder instead. Hard links make the copy instant (a copy where linking fails);
 * symbolic links would not do, since the server refuses links that lead out of its root.
 */
import { copyFile, link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { repoPath } from './repo-paths.js';

export interface ServedRoot {
  root: string;
  modelsDir: string;
  dispose(): Promise<void>;
}

async function mirror(from: string, to: string, skip: (name: string) => boolean = () => false): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await mirror(source, target);
    else if (entry.isFile()) await link(source, target).catch(() => copyFile(source, target));
  }
}

/** `scratchParent` holds the copy (on dist's file system, so that hard links work). */
export async function prepareServedRoot(
  modelDir: string | null,
  dist = repoPath('dist'),
  scratchParent = repoPath('build'),
): Promise<ServedRoot> {
  if (modelDir === null) return { root: dist, modelsDir: join(dist, 'models'), dispose: async () => undefined };
  await mkdir(scratchParent, { recursive: true });
  const root = await mkdtemp(join(scratchParent, 'bench-root-'));
  try {
    await mirror(dist, root, (name) => name === 'models');
    await mirror(modelDir, join(root, 'models'));
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return { root, modelsDir: join(root, 'models'), dispose: () => rm(root, { recursive: true, force: true }) };
}
