// The screening visit (src/app/controllers/visit-controller.ts) without <fg-app> or any layout, on a fake
// InferenceService whose answers the test gives, and records kept in memory as the store would keep them
// (the real worker and store: app-flow.test.ts and visit.e2e.ts).
import { expect, waitUntil } from '@open-wc/testing';
import type { SaveState } from '../../src/app/components/fg-grade-result.js';
import type { RecordsWatcher } from '../../src/app/controllers/records-controller.js';
import { VisitController, type VisitModels, type VisitOptions } from '../../src/app/controllers/visit-controller.js';
import { currentPhoto, nextStep, type ScreenPhoto } from '../../src/app/controllers/visit-state.js';
import type { PhotoRecord, ScreeningRecord, UngradedPhotoRecord } from '../../src/app/records/screening-record.js';
import type { Grade } from '../../src/shared/grades.js';
import type {
  GradeProgress,
  GradeResult,
  InspectResult,
  ModelLoadProgress,
  QualityReport,
} from '../../src/shared/protocol.js';
import { InferenceError } from '../../src/shared/protocol.js';
import type { VisitEye } from '../../src/shared/visit-outcome.js';
import { announcements, BareHost, deferred } from './bare-host.js';
import { BLURRED, BLURRED_MESSAGE, GRADABLE, gradeResult } from './record-fixtures.js';
import { loadManifest, pairOf } from './worker-client.js';

/** An InferenceService whose answers the test gives: every inspect and grade waits on its own promise. */
class FakePhotoService {
  readonly inspects: Array<{ file: ArrayBuffer; answer: ReturnType<typeof deferred<InspectResult>> }> = [];
  readonly gradings: Array<{
    photoId: string | undefined;
    signal: AbortSignal | undefined;
    onProgress: ((progress: GradeProgress) => void) | undefined;
    answer: ReturnType<typeof deferred<GradeResult>>;
  }> = [];

  request(type: string, params: { image: ArrayBuffer }): Promise<InspectResult> {
    if (type !== 'inspect') throw new Error(`unexpected request ${type}`);
    const answer = deferred<InspectResult>();
    this.inspects.push({ file: params.image, answer });
    return answer.promise;
  }

  grade(
    _readImage: () => Promise<ArrayBuffer>,
    request: { photoId?: string },
    options: { signal?: AbortSignal; onProgress?: (progress: GradeProgress) => void },
  ): Promise<GradeResult> {
    const answer = deferred<GradeResult>();
    // As InferenceClient does: an abort rejects at once.
    options.signal?.addEventListener('abort', () =>
      answer.reject(new InferenceError({ code: 'aborted', message: 'the request was cancelled' })),
    );
    this.gradings.push({ photoId: request.photoId, signal: options.signal, onProgress: options.onProgress, answer });
    return answer.promise;
  }
}

/**
 * The records as IndexedDB would hold them: the last record put under each id, until deleted; deletes and
 * restores are told to the watchers, as RecordsController tells them, whoever asked (here: History).
 */
class MemoryRecords {
  readonly stored = new Map<string, PhotoRecord>();
  readonly saves: PhotoRecord[] = [];
  readonly watchers = new Set<RecordsWatcher>();
  failSaves = false;

  async save(record: PhotoRecord): Promise<SaveState> {
    await Promise.resolve();
    if (this.failSaves) return { state: 'failed', message: 'There is no storage left on this device.' };
    this.saves.push(record);
    this.stored.set(record.id, record);
    return { state: 'saved' };
  }

  async deleteMany(ids: readonly string[]): Promise<PhotoRecord[]> {
    await Promise.resolve();
    const deleted = ids.flatMap((id) => this.stored.get(id) ?? []);
    for (const id of ids) this.stored.delete(id);
    for (const watcher of this.watchers) watcher.deleted(ids);
    return deleted;
  }

  async restore(records: readonly PhotoRecord[]): Promise<void> {
    await Promise.resolve();
    for (const record of records) this.stored.set(record.id, record);
    for (const watcher of this.watchers) watcher.restored(records);
  }

  watch(watcher: RecordsWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }
}

function inspected(
  photoId: string,
  { found = true, quality = GRADABLE }: { found?: boolean; quality?: QualityReport } = {},
): InspectResult {
  const { image, fov } = gradeResult(0);
  return {
    photoId,
    image,
    fov: found ? fov : { ...fov, found: false, verdict: 'too-dark', message: 'The photo is too dark.' },
    preview: { data: new Uint8ClampedArray([90, 40, 20, 255]).buffer, width: 1, height: 1 },
    quality,
  };
}

const photoFile = (name: string) => new File([new TextEncoder().encode(name)], name, { type: 'image/jpeg' });

async function visit() {
  const host = new BareHost();
  const service = new FakePhotoService();
  const records = new MemoryRecords();
  const { said, announce } = announcements();
  const progress: ModelLoadProgress[] = [];
  const gradedWith: GradeResult[] = [];
  const models: VisitModels = {
    pair: pairOf(await loadManifest(), 'tiny', 'fp16'),
    modelsUrl: '/models/',
    state: { runtimes: 'ready' },
    onProgress: (p) => progress.push(p),
    gradedWith: (result) => gradedWith.push(result),
  };
  const shown: string[] = [];
  const controller = new VisitController(host, {
    service: service as unknown as VisitOptions['service'],
    models,
    records,
    announce,
    showResult: async (photo) => void shown.push(photo.id),
  });
  const failed = host.events<{ message: string }>('fg-grade-failed');
  host.connect();

  /** Adds a photo to an eye and answers its inspect; resolves once the visit has taken the answer in. */
  async function read(eye: VisitEye, name: string, answer: Partial<{ found: boolean; quality: QualityReport }> = {}) {
    const before = service.inspects.length;
    const adding = controller.addPhoto(eye, photoFile(name));
    await waitUntil(() => service.inspects.length > before, 'inspect requested');
    service.inspects[before]!.answer.resolve(inspected(`kept-${name}`, answer));
    await adding;
    return currentPhoto(controller.state.photos, eye)!;
  }

  /** Grades a photo, answering with these grades; resolves once its record is saved. */
  async function grade(photo: ScreenPhoto, tfjs: Grade, { anyway = false, quality = GRADABLE } = {}) {
    const before = service.gradings.length;
    const grading = controller.grade(photo.id, { anyway });
    await waitUntil(() => service.gradings.length > before, 'grade requested');
    service.gradings[before]!.answer.resolve(gradeResult(tfjs, tfjs, undefined, quality));
    await grading;
  }

  return { host, service, records, controller, said, progress, gradedWith, shown, failed, read, grade };
}

const photoOf = (controller: VisitController, id: string) => controller.state.photos.find((p) => p.id === id)!;

describe('VisitController (on a fake InferenceService)', () => {
  it('adds a photo to an eye: the worker reads it, it becomes the eye’s current photo, and it is announced', async () => {
    const { service, controller, said } = await visit();
    expect(controller.blockers).to.deep.equal({ right: 'Choose a photo first.', left: 'Choose a photo first.' });
    const file = photoFile('od.jpeg');
    const adding = controller.addPhoto('right', file);
    const [photo] = controller.state.photos;
    expect(photo).to.deep.include({ eye: 'right', file, inspect: null, record: null });
    expect(controller.blockerFor(photo!)).to.equal('Reading the photo…');
    await waitUntil(() => service.inspects.length === 1, 'inspect requested');
    expect(new TextDecoder().decode(service.inspects[0]!.file)).to.equal('od.jpeg');
    const found = inspected('kept-1');
    service.inspects[0]!.answer.resolve(found);
    await adding;
    expect(currentPhoto(controller.state.photos, 'right')?.inspect).to.equal(found);
    expect(controller.blockers).to.deep.equal({ right: '', left: 'Choose a photo first.' });
    expect(said).to.deep.equal(['Right eye photo loaded. Retina found. Ready to grade.']);
  });

  it('makes the photo chosen last the current one, whichever answer comes first; the earlier stays in the visit', async () => {
    const { service, controller } = await visit();
    const first = controller.addPhoto('left', photoFile('first.jpeg'));
    await waitUntil(() => service.inspects.length === 1, 'first inspect requested');
    const second = controller.addPhoto('left', photoFile('second.jpeg'));
    await waitUntil(() => service.inspects.length === 2, 'second inspect requested');
    service.inspects[1]!.answer.resolve(inspected('kept-2'));
    await second;
    // The first answer arrives late, and fails: it does not take the second photo's place.
    service.inspects[0]!.answer.reject(new InferenceError({ code: 'bad-image', message: 'not a JPEG' }));
    await first;
    expect(currentPhoto(controller.state.photos, 'left')?.file.name).to.equal('second.jpeg');
    expect(controller.state.photos.map((p) => [p.file.name, p.readError])).to.deep.equal([
      ['first.jpeg', 'not a JPEG'],
      ['second.jpeg', ''],
    ]);
  });

  it('says why a photo cannot be read or graded', async () => {
    const { service, controller, read, said } = await visit();
    const unreadable = controller.addPhoto('right', photoFile('notes.txt'));
    await waitUntil(() => service.inspects.length === 1, 'inspect requested');
    service.inspects[0]!.answer.reject(new InferenceError({ code: 'bad-image', message: 'not a JPEG' }));
    await unreadable;
    expect(controller.blockers.right).to.equal('Choose another photo.');

    const dark = await read('left', 'black.jpeg', { found: false });
    expect(controller.blockerFor(dark)).to.equal('No retina was found in this photo.');
    expect(said).to.deep.equal(['not a JPEG', 'Left eye photo loaded. The photo is too dark.']);
  });

  it('grades the kept photo, shows the result, then saves its record under the photo’s id in the visit', async () => {
    const { service, records, controller, said, progress, gradedWith, shown, failed, read } = await visit();
    controller.setPatientId(' P-0042 ');
    const photo = await read('left', 'os.jpeg');
    const grading = controller.grade(photo.id);
    expect(photoOf(controller, photo.id).grading).to.deep.equal({ stage: 'Starting…' });
    const [request] = service.gradings;
    expect(request!.photoId).to.equal('kept-os.jpeg');
    request!.onProgress!({ stage: 'download', runtime: 'ort', loadedBytes: 1024, totalBytes: 4096 });
    expect(photoOf(controller, photo.id).grading).to.deep.equal({ stage: 'Downloading the model: 1.0 KB of 4.0 KB…' });
    expect(progress).to.have.length(1);
    request!.onProgress!({ stage: 'models' });
    expect(photoOf(controller, photo.id).grading?.stage).to.match(/^Running both models/);
    // A second request while one runs is ignored.
    await controller.grade(photo.id);
    expect(service.gradings).to.have.length(1);

    const result = gradeResult(2);
    request!.answer.resolve(result);
    await grading;
    const graded = photoOf(controller, photo.id);
    expect(graded).to.deep.include({ grading: null, result, gradeError: '', save: { state: 'saved' } });
    expect(gradedWith).to.deep.equal([result]);
    expect(shown).to.deep.equal([photo.id]);
    expect(records.saves).to.have.length(1);
    expect(records.saves[0]).to.deep.include({
      kind: 'graded',
      id: photo.id,
      visitId: controller.state.visitId,
      patientId: 'P-0042',
      eye: 'left',
      grade: 2,
      gradedAnyway: false,
    });
    expect(said.at(-1)).to.equal('Left eye: grade 2, Moderate. Refer to an ophthalmologist.');
    expect(failed).to.deep.equal([]);
  });

  it('cancels a grading: aborted, no error shown, nothing saved', async () => {
    const { service, records, controller, said, failed, read } = await visit();
    const photo = await read('right', 'od.jpeg');
    const grading = controller.grade(photo.id);
    controller.cancel();
    expect(service.gradings[0]!.signal!.aborted).to.equal(true);
    await grading;
    expect(photoOf(controller, photo.id)).to.deep.include({ grading: null, result: null, gradeError: '' });
    expect(failed).to.deep.equal([{ message: 'cancelled' }]);
    expect(said.at(-1)).to.equal('Grading cancelled.');
    expect(records.saves).to.deep.equal([]);
  });

  it('keeps the reason a grading failed, says it, and grades one photo at a time', async () => {
    const { service, records, controller, said, failed, read } = await visit();
    const right = await read('right', 'od.jpeg');
    const left = await read('left', 'os.jpeg');
    const grading = controller.grade(right.id);
    expect(controller.blockerFor(left)).to.equal("Wait: the right eye's photo is being graded.");
    service.gradings[0]!.answer.reject(new InferenceError({ code: 'internal', message: 'out of memory' }));
    await grading;
    expect(photoOf(controller, right.id)).to.deep.include({ grading: null, result: null, gradeError: 'out of memory' });
    expect(failed).to.deep.equal([{ message: 'out of memory' }]);
    expect(said.at(-1)).to.equal('Grading failed: out of memory');
    expect(records.saves).to.deep.equal([]);
    expect(controller.blockerFor(left)).to.equal('');
  });

  it('decides the patient’s referral from both eyes, as the history does', async () => {
    const { controller, read, grade } = await visit();
    await grade(await read('right', 'od.jpeg'), 1);
    expect(controller.state.outcome).to.deep.include({ refer: false, complete: false });
    expect(controller.state.outcome.left).to.deep.equal({ status: 'missing' });
    await grade(await read('left', 'os.jpeg'), 0);
    expect(controller.state.outcome).to.deep.include({ refer: false, complete: true });
    expect(controller.state.outcome.summary).to.equal('No referral — right eye grade 1 Mild, left eye grade 0 No DR');

    // A second photo of the left eye, more severe: the eye's grade is its most severe photo's.
    await grade(await read('left', 'os-2.jpeg'), 3);
    const { outcome } = controller.state;
    expect(outcome.left).to.deep.include({ status: 'graded', grade: 3, refer: true });
    expect(outcome.refer).to.equal(true);
    expect(outcome.reasons).to.deep.equal(['Left eye: grade 3 Severe — referable']);
  });

  it('keeps a photo that fails the quality gate as ungraded at once: the eye is ungradable and the patient referred', async () => {
    const { records, controller, said, read, grade } = await visit();
    await grade(await read('right', 'od.jpeg'), 0);
    const blurred = await read('left', 'blurred.jpeg', { quality: BLURRED });
    expect(said.at(-1)).to.equal(`Left eye photo loaded. ${BLURRED_MESSAGE} You may grade it anyway.`);
    await waitUntil(() => records.stored.has(blurred.id), 'kept as ungraded');
    const kept = records.stored.get(blurred.id) as UngradedPhotoRecord;
    expect(kept).to.deep.include({ kind: 'ungraded', eye: 'left', reason: BLURRED_MESSAGE, quality: BLURRED });
    expect(kept.visitId).to.equal(controller.state.visitId);
    expect(kept.thumbnail?.type).to.equal('image/jpeg');
    expect(photoOf(controller, blurred.id).save).to.deep.equal({ state: 'saved' });

    const { outcome } = controller.state;
    expect(outcome.left).to.deep.include({ status: 'ungradable', reason: BLURRED_MESSAGE });
    expect(outcome.refer).to.equal(true);
    expect(outcome.reasons).to.deep.equal([
      'Left eye could not be graded: too blurred (focus 12, needs ≥ 28) — retake the photo',
    ]);

    // No retina at all: kept the same way, and never gradable.
    const dark = await read('left', 'dark.jpeg', { found: false });
    await waitUntil(() => records.stored.has(dark.id), 'kept as ungraded');
    expect(records.stored.get(dark.id)).to.deep.include({ kind: 'ungraded', reason: 'The photo is too dark.' });
  });

  it('grades an ungradable photo only anyway: its graded record replaces the ungraded one and keeps the verdict', async () => {
    const { service, records, controller, read, grade } = await visit();
    const blurred = await read('right', 'blurred.jpeg', { quality: BLURRED });
    await waitUntil(() => records.stored.has(blurred.id), 'kept as ungraded');
    expect(controller.blockerFor(blurred)).to.equal('');

    await controller.grade(blurred.id);
    expect(service.gradings, 'Grade without "anyway" does nothing').to.have.length(0);

    await grade(blurred, 2, { anyway: true, quality: BLURRED });
    expect([...records.stored.keys()]).to.deep.equal([blurred.id]);
    const graded = records.stored.get(blurred.id) as ScreeningRecord;
    expect(graded).to.deep.include({ kind: 'graded', gradedAnyway: true, quality: BLURRED, grade: 2 });
    expect(controller.state.outcome.right).to.deep.include({
      status: 'graded',
      gradedAnyway: true,
      qualityReason: BLURRED_MESSAGE,
    });
  });

  it('says what comes next once an eye is graded: the other eye, then the summary', async () => {
    const { controller, read, grade } = await visit();
    await grade(await read('right', 'od.jpeg'), 0);
    expect(nextStep(controller.state, 'right')).to.deep.equal({
      text: 'Next: a photo of the left eye.',
      target: 'left',
    });
    const blurred = await read('left', 'blurred.jpeg', { quality: BLURRED });
    await waitUntil(() => photoOf(controller, blurred.id).record, 'kept as ungraded');
    expect(nextStep(controller.state, 'right')).to.deep.equal({
      text: 'Next: the left eye could not be graded; retake its photo, or grade it anyway.',
      target: 'left',
    });
    await read('left', 'os.jpeg');
    expect(nextStep(controller.state, 'right').text).to.equal("Next: the left eye's photo.");
    await grade(currentPhoto(controller.state.photos, 'left')!, 2);
    expect(nextStep(controller.state, 'left')).to.deep.equal({
      text: 'Visit done: refer to an ophthalmologist (see the summary).',
      target: 'summary',
    });
  });

  it('shows an eye without a photo as missing, never as healthy', async () => {
    const { controller, read, grade } = await visit();
    expect(controller.state.outcome).to.deep.include({ refer: false, complete: false, summary: 'No photos' });
    await grade(await read('right', 'od.jpeg'), 0);
    const { outcome } = controller.state;
    expect(outcome.left).to.deep.equal({ status: 'missing' });
    expect(outcome).to.deep.include({ refer: false, complete: false });
    expect(outcome.summary).to.equal(
      'Incomplete, nothing referable so far — right eye grade 0 No DR, left eye missing',
    );
  });

  it('saves the records again when the patient id is committed or a photo moves to the other eye', async () => {
    const { records, controller, read, grade } = await visit();
    const photo = await read('right', 'od.jpeg');
    await grade(photo, 1);
    controller.setPatientId('P-7');
    expect(records.stored.get(photo.id)?.patientId, 'not while typing').to.equal('');
    controller.setPatientId('P-7 ', { commit: true });
    await waitUntil(() => records.stored.get(photo.id)?.patientId === 'P-7', 'saved under the new id');

    controller.move(photo.id, 'left');
    await waitUntil(() => records.stored.get(photo.id)?.eye === 'left', 'saved with the other eye');
    expect(currentPhoto(controller.state.photos, 'left')?.id).to.equal(photo.id);
    expect(controller.state.outcome.right).to.deep.equal({ status: 'missing' });
    expect(controller.state.outcome.left).to.deep.include({ status: 'graded', grade: 1 });
  });

  it('removes a photo from the visit and its record from the device', async () => {
    const { records, controller, read, grade } = await visit();
    const first = await read('right', 'od.jpeg');
    await grade(first, 2);
    const second = await read('right', 'od-2.jpeg');
    await controller.remove(first.id);
    expect(records.stored.has(first.id)).to.equal(false);
    expect(controller.state.photos.map((p) => p.id)).to.deep.equal([second.id]);
    expect(controller.state.outcome.right).to.deep.equal({ status: 'missing' });
  });

  it('drops the photos History deletes from the visit on screen, and puts them back on its Undo', async () => {
    const { records, controller, read, grade } = await visit();
    const right = await read('right', 'od.jpeg');
    await grade(right, 3);
    const left = await read('left', 'os.jpeg');
    await grade(left, 0);
    expect(controller.state.outcome.refer).to.equal(true);

    // As History does: the record goes, whoever shows it.
    const deleted = await records.deleteMany([right.id]);
    expect(controller.state.photos.map((p) => p.id)).to.deep.equal([left.id]);
    expect(controller.state.outcome.right).to.deep.equal({ status: 'missing' });
    expect(controller.state.outcome.refer, 'the deleted photo no longer refers the patient').to.equal(false);

    await records.restore(deleted);
    expect(currentPhoto(controller.state.photos, 'right')).to.deep.include({
      id: right.id,
      record: deleted[0],
      save: { state: 'saved' },
    });
    expect(controller.state.outcome.right).to.deep.include({ status: 'graded', grade: 3 });
    expect(controller.state.outcome.refer).to.equal(true);
  });

  it('leaves a new visit alone when History restores a photo of the visit before', async () => {
    const { records, controller, read, grade } = await visit();
    const photo = await read('right', 'od.jpeg');
    await grade(photo, 1);
    const deleted = await records.deleteMany([photo.id]);
    controller.newVisit();
    await records.restore(deleted);
    expect(controller.state.photos).to.deep.equal([]);
    expect(records.stored.has(photo.id)).to.equal(true);
  });

  it('shows a failed save on the photo, and saves it again on request', async () => {
    const { records, controller, read, grade } = await visit();
    records.failSaves = true;
    const photo = await read('right', 'od.jpeg');
    await grade(photo, 0);
    expect(photoOf(controller, photo.id).save).to.deep.equal({
      state: 'failed',
      message: 'There is no storage left on this device.',
    });
    records.failSaves = false;
    await controller.retrySave(photo.id);
    expect(photoOf(controller, photo.id).save).to.deep.equal({ state: 'saved' });
    expect(records.stored.get(photo.id)).to.deep.include({ kind: 'graded', grade: 0 });
  });

  it('starts a new visit, once no grading runs: a new id, no photos, nothing lost', async () => {
    const { service, records, controller, read, grade } = await visit();
    controller.setPatientId('P-1');
    await grade(await read('right', 'od.jpeg'), 0);
    const first = controller.state.visitId;
    const photo = await read('left', 'os.jpeg');
    void controller.grade(photo.id);
    controller.newVisit();
    expect(controller.state.visitId, 'not while grading').to.equal(first);
    service.gradings.at(-1)!.answer.resolve(gradeResult(0));
    await waitUntil(() => records.stored.size === 2, 'both saved');

    controller.newVisit();
    expect(controller.state).to.deep.include({ patientId: '', photos: [] });
    expect(controller.state.visitId).not.to.equal(first);
    expect(controller.state.outcome.summary).to.equal('No photos');
    expect([...records.stored.values()].map((r) => r.visitId)).to.deep.equal([first, first]);
  });

  it('puts photos the app was opened with into the eyes without a photo, and keeps the problems to show', async () => {
    const { service, controller, said } = await visit();
    controller.addLaunched({
      source: 'share',
      files: [photoFile('a.jpeg'), photoFile('b.jpeg')],
      problems: ['notes.txt is not a photo.'],
    });
    await waitUntil(() => service.inspects.length === 2, 'both read');
    expect(controller.state.photos.map((p) => [p.file.name, p.eye])).to.deep.equal([
      ['a.jpeg', 'right'],
      ['b.jpeg', 'left'],
    ]);
    expect(controller.state.notices).to.deep.equal(['notes.txt is not a photo.']);
    expect(said.at(-1)).to.equal(
      '2 shared photos were added: right eye, left eye. Move a photo if it shows the other eye. notes.txt is not a photo.',
    );
    controller.perform({ type: 'dismiss-notices' });
    expect(controller.state.notices).to.deep.equal([]);
  });
});
