/**
 * The File Handling API's launch queue (the manifest's `file_handlers`): TypeScript's DOM library does
 * not declare it yet, and only some browsers have it, so it is declared here and feature-detected.
 */
import type { PhotoProblem } from '../../shared/shared-photos.js';

/** A FileSystemHandle as far as a launch needs it: FileSystemFileHandle fits. */
export interface LaunchedHandle {
  readonly kind: 'file' | 'directory';
  readonly name: string;
  getFile?(): Promise<File>;
}

export interface LaunchParams {
  readonly targetURL?: string;
  readonly files: readonly LaunchedHandle[];
}

export interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => unknown): void;
}

export function hasLaunchQueue(target: object): target is { launchQueue: LaunchQueue } {
  const queue = (target as { launchQueue?: Partial<LaunchQueue> }).launchQueue;
  return typeof queue?.setConsumer === 'function';
}

/**
 * The files of each launch that opened files, read from their handles (directories skipped; a file that
 * cannot be read any more is a `gone` problem). The browser also calls the consumer for a launch without
 * files (the app opened from its icon): that one is left out.
 */
export function consumeLaunchQueue(
  queue: LaunchQueue,
  deliver: (files: File[], problems: PhotoProblem[]) => void,
): void {
  queue.setConsumer(async (params) => {
    const handles = params.files.filter((handle) => handle.kind === 'file' && handle.getFile);
    if (!handles.length) return;
    const read = await Promise.allSettled(handles.map((handle) => handle.getFile!()));
    const files: File[] = [];
    const problems: PhotoProblem[] = [];
    read.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') files.push(outcome.value);
      else problems.push({ code: 'gone', fileName: handles[i]!.name });
    });
    deliver(files, problems);
  });
}
