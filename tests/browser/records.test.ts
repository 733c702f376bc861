import { expect } from '@open-wc/testing';
import { openDB } from 'idb';
import { eyePhotoIds, groupHistory, visitPhotoIds } from '../../src/app/records/history-groups.js';
import { CSV_COLUMNS, recordsToCsv, recordsToJson } from '../../src/app/records/records-export.js';
import { searchRecords } from '../../src/app/records/records-search.js';
import { ScreeningStore, StorageFullError } from '../../src/app/records/screening-store.js';
import {
  toScreeningRecord,
  toUngradedRecord,
  type PhotoRecord,
  type StoredScreeningRecord,
} from '../../src/app/records/screening-record.js';
import { expandHeatmap } from '../../src/app/records/stored-heatmap.js';
import { thumbnailFromPixels } from '../../src/app/records/thumbnail.js';
import type { Heatmap } from '../../src/shared/protocol.js';
import {
  BLURRED,
  BLURRED_MESSAGE,
  GRADABLE,
  gradedPhoto,
  gradeResult,
  heatmap,
  record,
  ungradedPhoto,
} from './record-fixtures.js';

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

describe('photo records of a visit', () => {
  it('keeps the visit, the quality verdict and both heatmaps of a graded photo, compactly', () => {
    const alone = toScreeningRecord(gradeResult(2, 1), { patientId: ' P-3 ', eye: 'left', fileName: 'p3.jpeg' }, T0);
    expect(alone).to.deep.include({ kind: 'graded', visitId: alone.id, patientId: 'P-3', gradedAnyway: false });
    expect(alone.quality).to.deep.equal(GRADABLE);
    expect(alone.heatmaps!.tfjs).to.deep.include({ grade: 2, width: 2, height: 2, ms: 3.5 });
    expect(alone.heatmaps!.tfjs.values).to.be.instanceOf(Uint8Array);
    expect([...alone.heatmaps!.ort.values]).to.deep.equal([0, 64, 128, 255]);
    const back: Heatmap = expandHeatmap(alone.heatmaps!.ort);
    back.values.forEach((v, i) => expect(v).to.be.closeTo(heatmap(1).values[i]!, 0.5 / 255));

    const input = { patientId: 'P-3', eye: 'right' as const, fileName: 'p3r.jpeg', visitId: 'visit-3' };
    const anyway = toScreeningRecord(gradeResult(0, 0, undefined, BLURRED), input, T0);
    expect(anyway).to.deep.include({ visitId: 'visit-3', gradedAnyway: true });
    expect(anyway.quality!.issues[0]!.message).to.equal(BLURRED_MESSAGE);
    const told = toScreeningRecord(gradeResult(0, 0, undefined, BLURRED), { ...input, gradedAnyway: false }, T0);
    expect(told.gradedAnyway).to.equal(false);
  });

  it('keeps a photo not graded with its reason: no retina first, else the quality gate’s', () => {
    const { image, fov } = gradeResult(0);
    const input = { patientId: 'P-4', eye: 'left' as const, fileName: 'dark.jpeg', visitId: 'visit-4' };
    const noRetinaMessage = 'No retina found: the photo is too dark. Retake it with the retina lit and in view.';
    const noRetina = toUngradedRecord(
      {
        image,
        fov: { ...fov, found: false, verdict: 'too-dark', message: noRetinaMessage },
        quality: BLURRED,
        thumbnail: null,
      },
      input,
      T0,
    );
    expect(noRetina).to.deep.include({
      kind: 'ungraded',
      visitId: 'visit-4',
      eye: 'left',
      reason: noRetinaMessage,
      thumbnail: null,
      createdAt: T0,
    });
    expect(noRetina.photo).to.deep.equal({ name: 'dark.jpeg', width: 4752, height: 3168 });
    expect(ungradedPhoto('P-4', 'right', T0).reason).to.equal(BLURRED_MESSAGE);
  });

  it('makes a JPEG thumbnail of a preview, no larger than asked', async () => {
    const width = 40;
    const height = 20;
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < rgba.length; i += 4) rgba.set([220, 30, 20, 255], i);
    const blob = await thumbnailFromPixels({ data: rgba.buffer, width, height }, 10);
    expect(blob.type).to.equal('image/jpeg');
    const bitmap = await createImageBitmap(blob);
    expect([bitmap.width, bitmap.height]).to.deep.equal([10, 5]);
    const canvas = new OffscreenCanvas(10, 5);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    bitmap.close();
    const [r, g, b] = context.getImageData(5, 2, 1, 1).data;
    expect(r).to.be.above(180);
    expect(g).to.be.below(80);
    expect(b).to.be.below(80);
  });
});

describe('the record store and visits', () => {
  const names: string[] = [];
  after(async () => {
    for (const name of names) indexedDB.deleteDatabase(name);
  });
  const open = (name = dbName()) => {
    names.push(name);
    return ScreeningStore.open(name);
  };
  const ids = (records: readonly PhotoRecord[]) => records.map((r) => r.id);

  // Visit A of P-1: right eye graded, left eye once not gradable and then graded; visit B of P-1; visit C of P-2.
  const visitA = () => [
    gradedPhoto('P-1', 'right', 3, T0, { visitId: 'A' }),
    ungradedPhoto('P-1', 'left', T0 + 1000, { visitId: 'A' }),
    gradedPhoto('P-1', 'left', 0, T0 + 2000, { visitId: 'A' }),
  ];

  it("finds a visit's photos and a patient's, graded or not, also after a reload; list() keeps to graded ones", async () => {
    const name = dbName();
    const store = await open(name);
    const a = visitA();
    const b = gradedPhoto('P-1', 'right', 1, T0 + DAY, { visitId: 'B' });
    const c = gradedPhoto('P-2', 'left', 0, T0 + 2 * DAY, { visitId: 'C' });
    for (const photo of [...a, b, c]) await store.save(photo);
    store.close();

    const reopened = await open(name);
    expect(ids(await reopened.listVisit('A'))).to.deep.equal([a[2]!.id, a[1]!.id, a[0]!.id]);
    expect(ids(await reopened.listPatient('P-1'))).to.deep.equal([b.id, a[2]!.id, a[1]!.id, a[0]!.id]);
    expect(await reopened.listVisit('nope')).to.deep.equal([]);
    expect(ids(await reopened.listPhotos())).to.deep.equal([c.id, b.id, a[2]!.id, a[1]!.id, a[0]!.id]);
    expect(ids(await reopened.list())).to.deep.equal([c.id, b.id, a[2]!.id, a[0]!.id]);

    expect(await reopened.get(a[1]!.id)).to.equal(undefined);
    const ungraded = await reopened.getPhoto(a[1]!.id);
    expect(ungraded).to.deep.include({ kind: 'ungraded', visitId: 'A', reason: BLURRED_MESSAGE });
    expect(ungraded!.quality).to.deep.equal(BLURRED);
    expect(ungraded!.thumbnail).to.be.instanceOf(Blob);

    const graded = await reopened.get(a[0]!.id);
    expect(graded!.quality).to.deep.equal(GRADABLE);
    expect(graded!.heatmaps!.tfjs.values).to.be.instanceOf(Uint8Array);
    expect([...graded!.heatmaps!.tfjs.values]).to.deep.equal([0, 64, 128, 255]);
    reopened.close();
  });

  it("deletes an eye's results or a whole visit at once, and restore() puts them back as they were", async () => {
    const store = await open();
    const a = visitA();
    const other = gradedPhoto('P-1', 'right', 1, T0 + DAY, { visitId: 'B' });
    for (const photo of [...a, other]) await store.save(photo);
    const before = await store.listVisit('A');

    const [visit] = groupHistory(before)[0]!.visits;
    const left = await store.deleteMany(eyePhotoIds(visit!, 'left'));
    expect(ids(left)).to.deep.equal([a[2]!.id, a[1]!.id]);
    expect(ids(await store.listVisit('A'))).to.deep.equal([a[0]!.id]);

    const rest = await store.deleteMany([...visitPhotoIds(visit!), 'not-there']);
    expect(ids(rest)).to.deep.equal([a[0]!.id]);
    expect(await store.listVisit('A')).to.deep.equal([]);
    expect(ids(await store.listPhotos())).to.deep.equal([other.id]);

    await store.restore([...left, ...rest]);
    const after = await store.listVisit('A');
    expect(ids(after)).to.deep.equal(ids(before));
    const withoutBlobs = (records: PhotoRecord[]) => records.map(({ thumbnail: _t, ...rest }) => rest);
    expect(withoutBlobs(after)).to.deep.equal(withoutBlobs(before));
    for (const [i, restored] of after.entries())
      expect(new Uint8Array(await restored.thumbnail!.arrayBuffer())).to.deep.equal(
        new Uint8Array(await before[i]!.thumbnail!.arrayBuffer()),
      );
    expect(await store.deleteMany(['not-there'])).to.deep.equal([]);
    store.close();
  });

  it('delete() answers with the photo deleted, for an undo', async () => {
    const store = await open();
    const [right, left] = visitA();
    await store.save(right!);
    await store.save(left!);
    const deleted = await store.delete(left!.id);
    expect(deleted).to.deep.include({ id: left!.id, kind: 'ungraded', visitId: 'A' });
    expect(await store.delete(left!.id)).to.equal(undefined);
    await store.restore([deleted!]);
    expect(ids(await store.listVisit('A'))).to.deep.equal([left!.id, right!.id]);
    store.close();
  });

  it('upgrades a version-1 database: its records become visits of their own, each eye as saved', async () => {
    const name = dbName();
    names.push(name);
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('screenings', { keyPath: 'id' }).createIndex('by-created', 'createdAt');
      },
    });
    const strip = ({
      kind: _kind,
      visitId: _visitId,
      gradedAnyway: _anyway,
      quality: _quality,
      heatmaps: _heatmaps,
      referBy: _by,
      referableProbability: _p,
      ...old
    }: ReturnType<typeof toScreeningRecord>): StoredScreeningRecord => old;
    const unspecified = strip(record('old-1', 'unspecified', 3, T0));
    const left = strip(record('old-1', 'left', 0, T0 + 1000));
    for (const old of [unspecified, left]) await v1.put('screenings', old);
    v1.close();

    const store = await open(name);
    const listed = await store.listPhotos();
    expect(listed.map((r) => [r.kind, r.visitId, r.eye])).to.deep.equal([
      ['graded', left.id, 'left'],
      ['graded', unspecified.id, 'unspecified'],
    ]);
    expect(listed[1]).to.deep.include({ gradedAnyway: false, refer: true, referBy: 'grade' });
    expect(listed[1]).not.to.have.property('quality');
    expect(ids(await store.listVisit(unspecified.id))).to.deep.equal([unspecified.id]);
    expect(ids(await store.listPatient('old-1'))).to.deep.equal([left.id, unspecified.id]);
    const visits = groupHistory(listed)[0]!.visits;
    expect(visits.map((v) => v.visitId)).to.deep.equal([left.id, unspecified.id]);
    expect(visits[1]!.outcome).to.deep.include({ refer: true, complete: false });

    // The upgrade put the visit into the stored records themselves (the index needs it), and nothing else.
    store.close();
    const raw = await openDB(name);
    expect(raw.version).to.equal(2);
    const stored = (await raw.getAllFromIndex('screenings', 'by-visit', left.id)) as StoredScreeningRecord[];
    expect(stored).to.have.length(1);
    expect(stored[0]).to.deep.include({ kind: 'graded', visitId: left.id, gradedAnyway: false });
    expect(stored[0]).not.to.have.property('referBy');
    raw.close();

    // And new photos go in beside them.
    const reopened = await open(name);
    await reopened.save(gradedPhoto('old-1', 'right', 0, T0 + DAY, { visitId: 'new' }));
    expect(await reopened.listPhotos()).to.have.length(3);
    reopened.close();
  });
});

/** RFC 4180 rows, for reading exports back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += ch;
    }
  }
  return rows;
}

describe('exporting visits', () => {
  const right = gradedPhoto('P-5', 'right', 3, T0, { visitId: 'v-5' });
  const blurred = ungradedPhoto('P-5', 'left', T0 + 1000, { visitId: 'v-5' });
  const anyway = gradedPhoto('-P6', 'left', 0, T0 + DAY, { visitId: 'v-6', quality: BLURRED, gradedAnyway: true });
  const records: PhotoRecord[] = [anyway, blurred, right];

  it("writes one row per photo with its kind and quality, and its visit's eyes and referral", () => {
    const rows = parseCsv(recordsToCsv(records));
    expect(rows[0]).to.deep.equal([...CSV_COLUMNS]);
    expect(rows).to.have.length(4);
    for (const row of rows) expect(row).to.have.length(CSV_COLUMNS.length);
    const cells = rows.slice(1).map((row) => Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, row[i]!])));
    const [anywayRow, blurredRow, rightRow] = cells;

    const visit5 = {
      visit_id: 'v-5',
      visit_date: new Date(T0).toISOString(),
      visit_complete: 'true',
      right_eye: 'graded',
      right_eye_grade: '3',
      right_eye_refer: 'true',
      left_eye: 'ungradable',
      left_eye_grade: '',
      left_eye_refer: 'true',
      unrecorded_eye: '',
      unrecorded_eye_grade: '',
      unrecorded_eye_refer: '',
      patient_refer: 'true',
      patient_refer_reasons: `Right eye: grade 3 Severe — referable; Left eye could not be graded: too blurred (focus 12, needs ≥ 28) — retake the photo`,
    };
    expect(rightRow).to.deep.include({
      ...visit5,
      record_kind: 'graded',
      grade: '3',
      quality_verdict: 'gradable',
      quality_reasons: '',
      graded_anyway: 'false',
    });
    expect(blurredRow).to.deep.include({
      ...visit5,
      eye: 'left',
      record_kind: 'ungraded',
      grade: '',
      grade_name: '',
      refer: '',
      model_id: '',
      tfjs_p0: '',
      onnx_backend: '',
      not_graded_reason: BLURRED_MESSAGE,
      quality_verdict: 'ungradable',
      quality_reasons: BLURRED_MESSAGE,
      graded_anyway: '',
      photo_name: 'P-5-left-ungraded.jpeg',
    });
    expect(anywayRow).to.deep.include({
      patient_id: "'-P6",
      record_kind: 'graded',
      graded_anyway: 'true',
      quality_verdict: 'ungradable',
      visit_complete: 'false',
      right_eye: 'missing',
      left_eye: 'graded',
      left_eye_grade: '0',
      patient_refer: 'false',
      patient_refer_reasons: '',
    });
  });

  it('writes the visits and their outcomes beside every photo in JSON, heatmaps in 0–1', async () => {
    const parsed = JSON.parse(await recordsToJson(records, new Date(T0))) as {
      version: number;
      screenings: Array<{
        id: string;
        kind: string;
        thumbnail: string | null;
        reason?: string;
        heatmaps?: { tfjs: Heatmap; ort: Heatmap };
      }>;
      visits: Array<{
        visitId: string;
        patientId: string;
        startedAt: string;
        refer: boolean;
        complete: boolean;
        reasons: string[];
        left: { status: string };
        photoIds: string[];
      }>;
    };
    expect(parsed.version).to.equal(2);
    expect(parsed.screenings.map((s) => [s.id, s.kind])).to.deep.equal([
      [anyway.id, 'graded'],
      [blurred.id, 'ungraded'],
      [right.id, 'graded'],
    ]);
    expect(parsed.screenings[1]).to.deep.include({
      reason: BLURRED_MESSAGE,
      thumbnail: 'data:image/jpeg;base64,/9j/2Q==',
    });
    const values = parsed.screenings[2]!.heatmaps!.tfjs.values;
    values.forEach((v, i) => expect(v).to.be.closeTo(heatmap(3).values[i]!, 0.5 / 255));

    expect(parsed.visits.map((v) => [v.visitId, v.patientId, v.refer, v.complete])).to.deep.equal([
      ['v-6', '-P6', false, false],
      ['v-5', 'P-5', true, true],
    ]);
    expect(parsed.visits[1]!.startedAt).to.equal(new Date(T0).toISOString());
    expect(parsed.visits[1]!.left.status).to.equal('ungradable');
    expect(parsed.visits[1]!.reasons).to.have.length(2);
    expect(parsed.visits[1]!.photoIds).to.have.members([right.id, blurred.id]);
  });
});
