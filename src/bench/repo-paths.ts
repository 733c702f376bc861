import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, so that the CLI works from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const repoPath = (...parts: string[]) => join(REPO_ROOT, ...parts);
