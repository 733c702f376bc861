import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { readScreeningRecord, type ScreeningRecord, type StoredScreeningRecord } from './screening-record.js';

interface ScreeningDb extends DBSchema {
  screenings: { key: string; value: StoredScreeningRecord; indexes: { 'by-created': number } };
}

export const DEFAULT_DB_NAME = 'fundus-grader';
const DB_VERSION = 1;

/** The device ran out of storage for records: the caller must tell the user, never drop it silently. */
export class StorageFullError extends Error {
  constructor(cause: unknown) {
    super(
      'This device has no storage left for screenings: the result was NOT saved. Export and delete old screenings, then grade again.',
      { cause },
    );
    this.name = 'StorageFullError';
  }
}

function isQuotaError(error: unknown): boolean {
  return (
    error instanceof DOMException &&
    (error.name === 'QuotaExceededError' || error.code === DOMException.QUOTA_EXCEEDED_ERR)
  );
}

/** Every screening done on this device, in IndexedDB: survives reloads, crashes and going offline. */
export class ScreeningStore {
  private constructor(private readonly db: IDBPDatabase<ScreeningDb>) {}

  static async open(name = DEFAULT_DB_NAME): Promise<ScreeningStore> {
    const db = await openDB<ScreeningDb>(name, DB_VERSION, {
      upgrade(database) {
        const store = database.createObjectStore('screenings', { keyPath: 'id' });
        store.createIndex('by-created', 'createdAt');
      },
      // Another tab opened a newer version: let it upgrade instead of blocking it.
      blocking() {
        db.close();
      },
    });
    return new ScreeningStore(db);
  }

  /** Resolves once the record is committed to disk; a full quota rejects with StorageFullError. */
  async save(record: ScreeningRecord): Promise<void> {
    try {
      const tx = this.db.transaction('screenings', 'readwrite', { durability: 'strict' });
      await Promise.all([tx.store.put(record), tx.done]);
    } catch (error) {
      throw isQuotaError(error) ? new StorageFullError(error) : error;
    }
  }

  /** Newest first; records saved by older versions read as today's (readScreeningRecord). */
  async list(): Promise<ScreeningRecord[]> {
    return (await this.db.getAllFromIndex('screenings', 'by-created')).reverse().map(readScreeningRecord);
  }

  async get(id: string): Promise<ScreeningRecord | undefined> {
    const stored = await this.db.get('screenings', id);
    return stored && readScreeningRecord(stored);
  }

  delete(id: string): Promise<void> {
    return this.db.delete('screenings', id);
  }

  close(): void {
    this.db.close();
  }
}
