import { access } from 'node:fs/promises';

/** Whether anything is at `path` (a resumable step's "is this output there yet?"). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
