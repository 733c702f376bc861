import {
  checkPhotos,
  photoProblemMessage,
  type CheckedPhotos,
  type LaunchView,
  type PhotoProblem,
} from '../../shared/shared-photos.js';
import { addressWithoutLaunchParams, readLaunchAddress } from './launch-address.js';
import { consumeLaunchQueue, hasLaunchQueue, type LaunchQueue } from './launch-queue.js';
import { discardStaleShares, takeSharedPhotos, type TakenPhotos } from './shared-photos-store.js';

/** How the photos came: shared to the app (share target) or opened with it (file handler). */
export type LaunchSource = 'share' | 'file-handler';

export interface LaunchedPhotoBatch {
  source: LaunchSource;
  /** JPEG, PNG or WebP photos, with their names and types, in the order they came. */
  files: File[];
  /** Why some or all did not come (not a photo, too large, too many, no longer there): sentences to show. */
  problems: string[];
}

/** What LaunchedPhotos uses of the window: the address, its history, Cache Storage, the launch queue. */
export interface LaunchWindow {
  readonly location: Pick<Location, 'href' | 'search'>;
  readonly history: Pick<History, 'state' | 'replaceState'>;
  readonly caches: CacheStorage;
  readonly launchQueue?: LaunchQueue;
}

/**
 * Photos the app was opened with: a share (the address's `?shared=<id>`, its files waiting in the
 * shared-photos cache, or `?share-error=` when none could be kept) and files opened with the app
 * (`launchQueue`, where the browser has it). Created once at start-up; it reads the address then, takes
 * the share, and removes the launch parameters from the address so a reload opens neither the share nor
 * the view again. Batches that come before anyone listens wait for the first listener.
 */
export class LaunchedPhotos {
  /** The view the address asked for (`?view=visit`, `?view=history`), read before it is removed. */
  readonly view: LaunchView | null;
  /** Settles once the address's share has been read (and delivered or queued) and the address cleaned. */
  readonly ready: Promise<void>;
  private readonly listeners = new Set<(batch: LaunchedPhotoBatch) => void>();
  private waiting: LaunchedPhotoBatch[] = [];

  constructor(private readonly window: LaunchWindow) {
    const address = readLaunchAddress(window.location);
    this.view = address.view;
    this.ready = this.readShare(address.sharedId, address.problems);
    if (hasLaunchQueue(window)) {
      consumeLaunchQueue(
        window.launchQueue,
        (files, problems) => void this.deliverChecked('file-handler', files, problems),
      );
    }
  }

  /**
   * Calls `listener` with each batch, and soon after this call (not during it) with those that waited for
   * a listener; returns the function that stops it.
   */
  onPhotos(listener: (batch: LaunchedPhotoBatch) => void): () => void {
    this.listeners.add(listener);
    if (this.waiting.length) queueMicrotask(() => this.deliverWaiting());
    return () => this.listeners.delete(listener);
  }

  private async readShare(id: string | null, addressProblems: PhotoProblem[]): Promise<void> {
    const { caches, location, history } = this.window;
    let taken: TakenPhotos = { files: [], problems: [] };
    try {
      if (id) taken = await takeSharedPhotos(caches, id, location.href);
    } catch {
      // Cache Storage itself failed (storage cleared or blocked): the share is lost, the app still opens.
      taken = { files: [], problems: [{ code: 'gone' }] };
    }
    const problems = [...addressProblems, ...taken.problems];
    if (taken.files.length || problems.length) this.deliver('share', taken.files, problems);
    const cleaned = addressWithoutLaunchParams(location.href);
    if (cleaned) history.replaceState(history.state, '', cleaned);
    await discardStaleShares(caches).catch(() => undefined);
  }

  /** Opened files pass the same checks as shared ones (the service worker's, src/shared/shared-photos.ts). */
  private async deliverChecked(source: LaunchSource, files: File[], problems: PhotoProblem[]): Promise<void> {
    // A launch whose files all failed to read has its own problems, not "no photo".
    let checked: CheckedPhotos<File> = { accepted: [], problems: [] };
    try {
      if (files.length) checked = await checkPhotos(files);
    } catch {
      // A file removed or changed since it was opened cannot be read.
      checked.problems = files.map((file) => ({ code: 'gone', fileName: file.name }));
    }
    // The type the bytes say, as the share target stores it (a .jpg named file may be a PNG).
    const accepted = checked.accepted.map(({ file, type }) =>
      file.type === type ? file : new File([file], file.name, { type, lastModified: file.lastModified }),
    );
    this.deliver(source, accepted, [...problems, ...checked.problems]);
  }

  private deliver(source: LaunchSource, files: File[], problems: PhotoProblem[]): void {
    this.waiting.push({ source, files, problems: problems.map(photoProblemMessage) });
    this.deliverWaiting();
  }

  private deliverWaiting(): void {
    if (!this.listeners.size) return;
    const batches = this.waiting;
    this.waiting = [];
    for (const batch of batches) [...this.listeners].forEach((listener) => listener(batch));
  }
}
