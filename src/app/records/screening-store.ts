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

/** Why the store's records changed behind the app's back (the list it shows may be stale). */
export type StoreChange = 'reopened';

/** A connection that is closing or gone: the operation may be repeated on a fresh one. */
function isClosedConnection(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'InvalidStateError';
}

/**
 * Every screening done on this device, in IndexedDB: survives reloads, crashes and going offline.
 *
 * The connection can close under a running app: the database deleted ("clear site data", another tab,
 * the browser under storage pressure), a newer version opened elsewhere, or the browser ending it
 * (idb's `terminated`). The store then drops that connection, opens a new one for the next operation
 * (repeating once an operation that met a closing connection), and tells `onChange` so the app can
 * read the list again.
 */
export class ScreeningStore {
  private connection: Promise<IDBPDatabase<ScreeningDb>> | null;
  private closed = false;

  private constructor(
    private readonly name: string,
    first: IDBPDatabase<ScreeningDb>,
    private readonly onChange: (change: StoreChange) => void,
  ) {
    this.connection = Promise.resolve(first);
  }

  static async open(
    name = DEFAULT_DB_NAME,
    onChange: (change: StoreChange) => void = () => {},
  ): Promise<ScreeningStore> {
    let store: ScreeningStore | null = null;
    const db = await connect(name, () => store?.dropConnection());
    store = new ScreeningStore(name, db, onChange);
    return store;
  }

  /** Resolves once the record is committed to disk; a full quota rejects with StorageFullError. */
  async save(record: ScreeningRecord): Promise<void> {
    try {
      await this.withDb(async (db) => {
        const tx = db.transaction('screenings', 'readwrite', { durability: 'strict' });
        await Promise.all([tx.store.put(record), tx.done]);
      });
    } catch (error) {
      throw isQuotaError(error) ? new StorageFullError(error) : error;
    }
  }

  /** Newest first; records saved by older versions read as today's (readScreeningRecord). */
  async list(): Promise<ScreeningRecord[]> {
    const stored = await this.withDb((db) => db.getAllFromIndex('screenings', 'by-created'));
    return stored.reverse().map(readScreeningRecord);
  }

  async get(id: string): Promise<ScreeningRecord | undefined> {
    const stored = await this.withDb((db) => db.get('screenings', id));
    return stored && readScreeningRecord(stored);
  }

  delete(id: string): Promise<void> {
    return this.withDb((db) => db.delete('screenings', id));
  }

  close(): void {
    this.closed = true;
    const connection = this.connection;
    this.connection = null;
    void connection?.then(
      (db) => db.close(),
      () => undefined,
    );
  }

  /** Runs `operation` on an open connection, reopening the database when the last one was lost. */
  private async withDb<T>(operation: (db: IDBPDatabase<ScreeningDb>) => Promise<T>): Promise<T> {
    if (this.closed) throw new DOMException('the screening store was closed', 'InvalidStateError');
    try {
      return await operation(await this.db());
    } catch (error) {
      if (!isClosedConnection(error) || this.closed) throw error;
      this.dropConnection();
      return operation(await this.db());
    }
  }

  private db(): Promise<IDBPDatabase<ScreeningDb>> {
    if (!this.connection) {
      const opening = connect(this.name, () => this.dropConnection());
      this.connection = opening;
      // A failed open is not kept: the next operation tries again.
      opening.then(
        () => this.onChange('reopened'),
        () => {
          if (this.connection === opening) this.connection = null;
        },
      );
    }
    return this.connection;
  }

  private dropConnection(): void {
    const connection = this.connection;
    this.connection = null;
    void connection?.then(
      (db) => db.close(),
      () => undefined,
    );
  }
}

function connect(name: string, onLost: () => void): Promise<IDBPDatabase<ScreeningDb>> {
  return openDB<ScreeningDb>(name, DB_VERSION, {
    upgrade(database) {
      const store = database.createObjectStore('screenings', { keyPath: 'id' });
      store.createIndex('by-created', 'createdAt');
    },
    // The database is being deleted, or another tab opened a newer version: let go at once, within the
    // event (a close a microtask later leaves the other side 'blocked'); the next operation reopens.
    blocking(_current, _blocked, event) {
      (event.target as IDBDatabase).close();
      onLost();
    },
    // The browser closed the connection (e.g. the database was deleted from the browser's settings).
    terminated: onLost,
  });
}
