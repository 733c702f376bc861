import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import {
  isGradedRecord,
  readPhotoRecord,
  type PhotoRecord,
  type ScreeningRecord,
  type StoredPhotoRecord,
} from './screening-record.js';

interface ScreeningDb extends DBSchema {
  screenings: {
    key: string;
    value: StoredPhotoRecord;
    indexes: { 'by-created': number; 'by-visit': string; 'by-patient': string };
  };
}

export const DEFAULT_DB_NAME = 'fundus-grader';
/** 1: graded records. 2: records of visits (visitId, kind), indexed by visit and patient. */
const DB_VERSION = 2;

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
  save(record: PhotoRecord): Promise<void> {
    return this.putAll([record]);
  }

  /**
   * The graded photos, newest first; photos kept without grading are left out (listPhotos has every
   * record). Records saved by older versions read as today's (readPhotoRecord).
   */
  async list(): Promise<ScreeningRecord[]> {
    return (await this.listPhotos()).filter(isGradedRecord);
  }

  /** Every photo record of every visit, graded or not, newest first: what groupHistory takes. */
  async listPhotos(): Promise<PhotoRecord[]> {
    const stored = await this.withDb((db) => db.getAllFromIndex('screenings', 'by-created'));
    return stored.reverse().map(readPhotoRecord);
  }

  /** The photos of one visit, newest first. */
  async listVisit(visitId: string): Promise<PhotoRecord[]> {
    const stored = await this.withDb(async (db) => {
      const tx = db.transaction('screenings');
      const [inVisit, own] = await Promise.all([
        tx.store.index('by-visit').getAll(visitId),
        // A record saved without a visit id (by an older version) is a visit of its own, not in the index.
        tx.store.get(visitId),
        tx.done,
      ]);
      return own && own.visitId === undefined ? [...inVisit, own] : inVisit;
    });
    return newestFirst(stored.map(readPhotoRecord));
  }

  /** Every photo of one patient (the id matched exactly), newest first. */
  async listPatient(patientId: string): Promise<PhotoRecord[]> {
    const stored = await this.withDb((db) => db.getAllFromIndex('screenings', 'by-patient', patientId));
    return newestFirst(stored.map(readPhotoRecord));
  }

  /** A graded photo; undefined when there is none of that id (or it was not graded: see getPhoto). */
  async get(id: string): Promise<ScreeningRecord | undefined> {
    const record = await this.getPhoto(id);
    return record && isGradedRecord(record) ? record : undefined;
  }

  async getPhoto(id: string): Promise<PhotoRecord | undefined> {
    const stored = await this.withDb((db) => db.get('screenings', id));
    return stored && readPhotoRecord(stored);
  }

  /** Deletes one photo; resolves with the record deleted (for restore), undefined when there was none. */
  async delete(id: string): Promise<PhotoRecord | undefined> {
    const [deleted] = await this.deleteMany([id]);
    return deleted;
  }

  /**
   * Deletes photos at once, all or none (an eye's results: eyePhotoIds; a whole visit: visitPhotoIds).
   * Resolves with the records that were there, as read, which restore() puts back to undo.
   */
  deleteMany(ids: readonly string[]): Promise<PhotoRecord[]> {
    return this.withDb(async (db) => {
      const tx = db.transaction('screenings', 'readwrite', { durability: 'strict' });
      const deleted: PhotoRecord[] = [];
      await Promise.all([
        ...ids.map(async (id) => {
          const stored = await tx.store.get(id);
          if (!stored) return;
          deleted.push(readPhotoRecord(stored));
          await tx.store.delete(id);
        }),
        tx.done,
      ]);
      return newestFirst(deleted);
    });
  }

  /** Puts deleted records back (the undo of delete or deleteMany); a full quota rejects with StorageFullError. */
  restore(records: readonly PhotoRecord[]): Promise<void> {
    return this.putAll(records);
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

  private async putAll(records: readonly PhotoRecord[]): Promise<void> {
    try {
      await this.withDb(async (db) => {
        const tx = db.transaction('screenings', 'readwrite', { durability: 'strict' });
        await Promise.all([...records.map((record) => tx.store.put(record)), tx.done]);
      });
    } catch (error) {
      throw isQuotaError(error) ? new StorageFullError(error) : error;
    }
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

const newestFirst = (records: PhotoRecord[]) =>
  records.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));

function connect(name: string, onLost: () => void): Promise<IDBPDatabase<ScreeningDb>> {
  return openDB<ScreeningDb>(name, DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      const store =
        oldVersion < 1
          ? database.createObjectStore('screenings', { keyPath: 'id' })
          : transaction.objectStore('screenings');
      if (oldVersion < 1) store.createIndex('by-created', 'createdAt');
      if (oldVersion < 2) {
        store.createIndex('by-visit', 'visitId');
        store.createIndex('by-patient', 'patientId');
        // Any failure aborts the upgrade, and with it the open, which then rejects with the cause.
        giveVisits(transaction).catch(() => abortQuietly(transaction));
      }
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

function abortQuietly(transaction: IDBPTransaction<ScreeningDb, StoreNames<ScreeningDb>[], 'versionchange'>): void {
  try {
    transaction.abort();
  } catch {
    // Already over: a failed request aborted it.
  }
}

/**
 * Version 1's records become graded photos, each a visit of its own, so that the visit index holds
 * every record. Only the new fields are added; the reader would add them too, but an index cannot.
 */
async function giveVisits(
  transaction: IDBPTransaction<ScreeningDb, StoreNames<ScreeningDb>[], 'versionchange'>,
): Promise<void> {
  let cursor = await transaction.objectStore('screenings').openCursor();
  while (cursor) {
    const stored = cursor.value;
    if (stored.kind !== 'ungraded' && stored.visitId === undefined)
      await cursor.update({ ...stored, kind: 'graded', visitId: stored.id, gradedAnyway: false });
    cursor = await cursor.continue();
  }
}
