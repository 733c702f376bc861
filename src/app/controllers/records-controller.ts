import type { SaveState } from '../components/fg-grade-result.js';
import type { ExportFormat } from '../components/fg-history-list.js';
import { readStorageStatus, requestPersistentStorage, type StorageStatus } from '../offline/storage-status.js';
import { downloadText, recordsToCsv, recordsToJson } from '../records/records-export.js';
import type { PhotoRecord } from '../records/screening-record.js';
import { ScreeningStore, StorageFullError } from '../records/screening-store.js';
import type { Announce } from './announcer.js';
import { messageOf, StateController, type AppHost } from './state-controller.js';

export interface RecordsState {
  /** Every photo of every visit, graded or not; newest first, as the store lists them. */
  readonly records: PhotoRecord[];
  readonly storage: StorageStatus | null;
}

export interface RecordsOptions {
  /** IndexedDB database of the records; read when the host connects. */
  dbName: () => string;
  announce: Announce;
}

/** Told of photos deleted from the device or put back, whoever asked (the history, or the visit itself). */
/** A save's answer for a photo deleted while the save was on its way: it stays deleted. */
export const DELETED_MEANWHILE = 'This photo was deleted on this device meanwhile; it was not saved again.';

export interface RecordsWatcher {
  deleted(ids: readonly string[]): void;
  restored(records: readonly PhotoRecord[]): void;
}

/**
 * The screening records on this device: the store, opened while the host is connected; its list; saving,
 * deleting and restoring (the history's undo), each told to its watchers; exporting; and the storage they
 * live in. Dispatches `fg-screening-saved` and `fg-screening-not-saved` on the host.
 */
export class RecordsController extends StateController<RecordsState> {
  private store: Promise<ScreeningStore> | null = null;
  private readonly watchers = new Set<RecordsWatcher>();
  /**
   * Photos deleted (or being deleted) in this page, until an undo restores them: a save of one of them
   * that was still on its way (the visit re-saving a renamed patient, say) must not bring it back.
   */
  private readonly deletedIds = new Set<string>();

  constructor(
    host: AppHost,
    private readonly options: RecordsOptions,
  ) {
    super(host, { records: [], storage: null });
    host.addController(this);
  }

  override hostConnected(): void {
    void this.open();
    void this.refreshStorage();
  }

  override hostDisconnected(): void {
    void this.store?.then(
      (store) => store.close(),
      () => undefined,
    );
    this.store = null;
  }

  /** Until the returned function is called. */
  watch(watcher: RecordsWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Saves a record, or replaces the one under its id; resolves with how it went, never rejects. */
  async save(record: PhotoRecord): Promise<SaveState> {
    try {
      const store = await this.open();
      // Checked after the wait: a store call made before a delete's is ordered before it by IndexedDB.
      if (this.deletedIds.has(record.id)) return { state: 'failed', message: DELETED_MEANWHILE };
      await store.save(record);
      // A reopened store may already have listed it.
      this.set({ records: [record, ...this.state.records.filter((r) => r.id !== record.id)] });
      this.emit('fg-screening-saved', record);
      return { state: 'saved' };
    } catch (error) {
      // The result stays on screen; the screener must know it is not in the history.
      const message =
        error instanceof StorageFullError
          ? error.message
          : `The screening could not be saved on this device: ${messageOf(error)}`;
      this.options.announce(message);
      this.emit('fg-screening-not-saved', { message });
      return { state: 'failed', message };
    } finally {
      void this.refreshStorage();
    }
  }

  async delete(id: string): Promise<void> {
    await this.deleteMany([id]);
  }

  /**
   * Deletes these photos (a photo, an eye's results, a whole visit) at once, all or none; resolves with the
   * records deleted, for `restore`. A success is not announced: the view that asked offers its undo in its
   * own live region. A failure is announced and resolves with none; the list is read again from the store.
   */
  async deleteMany(ids: readonly string[]): Promise<PhotoRecord[]> {
    const newlyDeleted = ids.filter((id) => !this.deletedIds.has(id));
    for (const id of newlyDeleted) this.deletedIds.add(id);
    try {
      const deleted = await (await this.open()).deleteMany(ids);
      const gone = new Set(ids);
      this.set({ records: this.state.records.filter((r) => !gone.has(r.id)) });
      for (const watcher of this.watchers) watcher.deleted(ids);
      return deleted;
    } catch (error) {
      for (const id of newlyDeleted) this.deletedIds.delete(id);
      this.options.announce(`The photos could not be deleted: ${messageOf(error)}`);
      await this.reload();
      return [];
    } finally {
      void this.refreshStorage();
    }
  }

  /** Undo of a delete: puts the photos back as they were, in the list where their times place them. */
  async restore(records: readonly PhotoRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await (await this.open()).restore(records);
    } catch (error) {
      const why = error instanceof StorageFullError ? 'this device has no storage left' : messageOf(error);
      this.options.announce(`The photos could not be restored: ${why}`);
      return;
    } finally {
      void this.refreshStorage();
    }
    const back = new Set(records.map((r) => r.id));
    for (const id of back) this.deletedIds.delete(id);
    const merged = [...records, ...this.state.records.filter((r) => !back.has(r.id))];
    this.set({ records: merged.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id)) });
    for (const watcher of this.watchers) watcher.restored(records);
    this.options.announce(records.length === 1 ? 'Photo restored.' : `${records.length} photos restored.`);
  }

  async export(format: ExportFormat): Promise<void> {
    const records = this.state.records;
    const day = new Date().toISOString().slice(0, 10);
    if (format === 'csv') downloadText(`fundus-screenings-${day}.csv`, recordsToCsv(records), 'text/csv');
    else downloadText(`fundus-screenings-${day}.json`, await recordsToJson(records), 'application/json');
    this.options.announce(`${records.length} screenings exported.`);
  }

  /** Asks the browser not to evict the app and its records; `quiet` when the app asks on its own. */
  async requestPersistence({ quiet = false } = {}): Promise<void> {
    const granted = await requestPersistentStorage();
    await this.refreshStorage();
    if (!quiet)
      this.options.announce(granted ? 'Persistent storage granted.' : 'The browser did not grant persistent storage.');
  }

  /**
   * The record store, opened once. The list is read when it opens and again whenever the store had to
   * reopen its database behind the app's back; saves and deletes update it in place.
   */
  private open(): Promise<ScreeningStore> {
    if (!this.store) {
      const store = ScreeningStore.open(this.options.dbName(), () => void this.reload());
      this.store = store;
      // A store that cannot open fails each save, which says why.
      void store.then(
        () => this.reload(),
        () => undefined,
      );
    }
    return this.store;
  }

  private async reload(): Promise<void> {
    if (!this.store) return;
    try {
      this.set({ records: await (await this.store).listPhotos() });
    } catch (error) {
      this.options.announce(`The screenings on this device could not be read: ${messageOf(error)}`);
    }
  }

  private async refreshStorage(): Promise<void> {
    this.set({ storage: await readStorageStatus() });
  }
}

declare global {
  interface HTMLElementEventMap {
    'fg-screening-saved': CustomEvent<PhotoRecord>;
    /** The grading succeeded and is on screen, but the record could not be stored. */
    'fg-screening-not-saved': CustomEvent<{ message: string }>;
  }
}
