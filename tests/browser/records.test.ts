import { expect } from '@open-wc/testing';
import { openDB } from 'idb';
import { CSV_COLUMNS, recordsToCsv, recordsToJson } from '../../src/app/records/records-export.js';
import { searchRecords } from '../../src/app/records/records-search.js';
import { ScreeningStore, StorageFullError } from '../../src/app/records/screening-store.js';
import { toScreeningRecord, type StoredScreeningRecord } from '../../src/app/records/screening-record.js';
import { gradeResult, record } from './record-fixtures.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.UTC(2026, 0, 15, 9, 30);

function dbName(): string {
  return `fg-test-${crypto.randomUUID()}`;
}

describe('screening records in IndexedDB', () => {
  const names: string[] = [];
  after(async () => {
    for (const name of names) indexedDB.deleteDatabase(name);
  });
  const open = (name = dbName()) => {
    names.push(name);
    return ScreeningStore.open(name);
  };

  it('saves records and lists them newest first, also after the database is reopened (a reload)', async () => {
    const name = dbName();
    const store = await open(name);
    const older = record('P-1', 'left', 0, T0);
    const newer = record('P-2', 'right', 3, T0 + DAY);
    await store.save(older);
    await store.save(newer);
    store.close();

    const reopened = await open(name);
    const listed = await reopened.list();
    expect(listed.map((r) => r.patientId)).to.deep.equal(['P-2', 'P-1']);
    expect(listed[0]).to.deep.include({ eye: 'right', grade: 3, refer: true, agree: true });
    expect(listed[0]!.tfjs.probabilities).to.deep.equal(newer.tfjs.probabilities);
    expect(listed[0]!.model).to.deep.equal({
      id: 'tiny',
      version: '1',
      name: 'Tiny test model',
      weights: 'fp16',
      demo: true,
    });
    expect(listed[0]!.thumbnail.type).to.equal('image/jpeg');
    expect(new Uint8Array(await listed[0]!.thumbnail.arrayBuffer())).to.deep.equal(
      new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
    );
    reopened.close();
  });

  it("keeps a referral made by the model's threshold, and the threshold with the model", async () => {
    const store = await open();
    const borderline = toScreeningRecord(
      gradeResult(1, 1, 0.25),
      { patientId: 'P-9', eye: 'left', fileName: 'p9.jpeg' },
      T0,
    );
    await store.save(borderline);
    const [listed] = await store.list();
    expect(listed).to.deep.include({ grade: 1, refer: true, referBy: 'probability' });
    expect(listed!.referableProbability).to.be.closeTo(0.3, 1e-9);
    expect(listed!.model.referralThreshold).to.equal(0.25);
    store.close();
  });

  it('reads records saved before results carried the referral reason, deriving it from their own variants', async () => {
    const name = dbName();
    (await open(name)).close();
    const strip = ({
      referBy: _by,
      referableProbability: _p,
      ...old
    }: ReturnType<typeof toScreeningRecord>): StoredScreeningRecord => old;
    const byThreshold = strip(
      toScreeningRecord(gradeResult(1, 1, 0.25), { patientId: 'old-1', eye: 'left', fileName: 'a.jpeg' }, T0),
    );
    const byGrade = strip(record('old-2', 'right', 3, T0 + 1));
    const none = strip(record('old-3', 'right', 0, T0 + 2));
    const db = await openDB(name);
    for (const old of [byThreshold, byGrade, none]) await db.put('screenings', old);
    db.close();

    const store = await open(name);
    const listed = await store.list();
    expect(listed.map((r) => [r.patientId, r.refer, r.referBy])).to.deep.equal([
      ['old-3', false, null],
      ['old-2', true, 'grade'],
      ['old-1', true, 'probability'],
    ]);
    expect(listed[2]!.referableProbability).to.be.closeTo(0.3, 1e-9);
    const got = await store.get(byThreshold.id);
    expect(got).to.deep.include({ grade: 1, refer: true, referBy: 'probability' });
    // What was saved stays as saved; only the missing fields are filled in.
    expect(got!.tfjs).to.deep.equal(byThreshold.tfjs);
    expect(recordsToCsv(listed)).to.contain(',1,Mild,true,probability,0.300000,true,');
    store.close();
  });

  it('deletes a record', async () => {
    const store = await open();
    const keep = record('keep', 'left', 1, T0);
    const drop = record('drop', 'left', 1, T0 + 1);
    await store.save(keep);
    await store.save(drop);
    await store.delete(drop.id);
    expect((await store.list()).map((r) => r.id)).to.deep.equal([keep.id]);
    expect(await store.get(drop.id)).to.equal(undefined);
    store.close();
  });

  it('reports a full quota as StorageFullError instead of swallowing it', async () => {
    const store = await open();
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('quota reached', 'QuotaExceededError');
    };
    try {
      const error = await store.save(record('P-9', 'left', 2, T0)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(StorageFullError);
      expect((error as Error).message).to.contain('NOT saved');
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(await store.list()).to.deep.equal([]);
    store.close();
  });
});

describe('the record store when its database goes away under the app', () => {
  // Resolves once the database is gone. If the store kept its connection open, the deletion would wait
  // for ever ('blocked' alone is transient: a connection closes only after its last transaction).
  const deleteDatabase = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error ?? new Error('deleteDatabase failed'));
    });

  it('lets a deletion through, reopens for the next save, and says the list changed', async () => {
    const name = dbName();
    const changes: string[] = [];
    const store = await ScreeningStore.open(name, (change) => changes.push(change));
    await store.save(record('before', 'left', 1, T0));

    await deleteDatabase(name);
    const after = record('after', 'right', 2, T0 + DAY);
    await store.save(after);

    expect((await store.list()).map((r) => r.patientId)).to.deep.equal(['after']);
    expect(changes).to.deep.equal(['reopened']);
    store.close();
    await deleteDatabase(name);
  });

  it('reads, gets and deletes after the deletion too, without an unhandled rejection', async () => {
    const name = dbName();
    const store = await ScreeningStore.open(name);
    const kept = record('kept', 'left', 0, T0);
    await store.save(kept);
    const unhandled: unknown[] = [];
    const onUnhandled = (event: PromiseRejectionEvent) => unhandled.push(event.reason);
    window.addEventListener('unhandledrejection', onUnhandled);
    try {
      await deleteDatabase(name);
      expect(await store.list()).to.deep.equal([]);
      expect(await store.get(kept.id)).to.equal(undefined);
      await store.delete(kept.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).to.deep.equal([]);
    } finally {
      window.removeEventListener('unhandledrejection', onUnhandled);
      store.close();
      await deleteDatabase(name);
    }
  });

  it('refuses work after close() instead of reopening', async () => {
    const name = dbName();
    const store = await ScreeningStore.open(name);
    store.close();
    const error = await store.list().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DOMException);
    await deleteDatabase(name);
  });
});

describe('searching and exporting records', () => {
  const records = [
    record('=HYPERLINK("x")', 'left', 2, T0 + 2 * DAY, 1),
    record('P-100', 'right', 0, T0 + DAY),
    record('P-200, "B"', 'unspecified', 4, T0),
  ];

  it('finds records by patient id, eye, grade, referral and date', () => {
    const ids = (query: string) => searchRecords(records, query).map((r) => r.patientId);
    expect(ids('')).to.have.length(3);
    expect(ids('p-100')).to.deep.equal(['P-100']);
    expect(ids('right')).to.deep.equal(['P-100']);
    expect(ids('proliferative')).to.deep.equal(['P-200, "B"']);
    expect(ids('no referral')).to.deep.equal(['P-100']);
    expect(ids('disagree')).to.deep.equal(['=HYPERLINK("x")']);
    expect(ids('2026-01-16')).to.deep.equal(['P-100']);
    expect(ids('grade 0 right')).to.deep.equal(['P-100']);
  });

  it('exports CSV with one row per record, quoted, and formulas neutralised', () => {
    const lines = recordsToCsv(records).trimEnd().split('\r\n');
    expect(lines).to.have.length(4);
    expect(lines[0]).to.equal(CSV_COLUMNS.join(','));
    expect(lines[1]).to.contain(`"'=HYPERLINK(""x"")"`);
    expect(lines[1]).to.contain(',2,Moderate,true,grade,0.800000,false,tiny,1,fp16,true,webgpu,2,');
    expect(lines[3]).to.contain('"P-200, ""B"""');
    const cells = lines[2]!.split(',');
    expect(cells[CSV_COLUMNS.indexOf('tfjs_p0')]).to.equal('0.600000');
    expect(cells[CSV_COLUMNS.indexOf('onnx_backend')]).to.equal('wasm');
    expect(cells[CSV_COLUMNS.indexOf('created_at')]).to.equal(new Date(T0 + DAY).toISOString());
  });

  it('exports JSON with every field and the thumbnail as a data: URL', async () => {
    const parsed = JSON.parse(await recordsToJson(records, new Date(T0))) as {
      format: string;
      exportedAt: string;
      screenings: Array<{ id: string; thumbnail: string; tfjs: { probabilities: number[] }; createdAt: string }>;
    };
    expect(parsed.format).to.equal('fundus-grader-screenings');
    expect(parsed.exportedAt).to.equal(new Date(T0).toISOString());
    expect(parsed.screenings.map((s) => s.id)).to.deep.equal(records.map((r) => r.id));
    expect(parsed.screenings[0]!.thumbnail).to.equal('data:image/jpeg;base64,/9j/2Q==');
    expect(parsed.screenings[1]!.tfjs.probabilities).to.deep.equal(records[1]!.tfjs.probabilities);
  });
});
