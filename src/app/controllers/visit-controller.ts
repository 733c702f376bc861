import { GRADE_NAMES } from '../../shared/grades.js';
import type { GradeProgress, GradeResult, ModelLoadProgress, ModelPair } from '../../shared/protocol.js';
import { InferenceError } from '../../shared/protocol.js';
import { EYE_NAMES, type VisitEye } from '../../shared/visit-outcome.js';
import type { SaveState } from '../components/fg-grade-result.js';
import type { InferenceService } from '../inference-service.js';
import type { LaunchedPhotoBatch } from '../launch/launched-photos.js';
import { formatBytes } from '../model-state.js';
import {
  newVisitId,
  toScreeningRecord,
  toUngradedRecord,
  type PhotoRecord,
  type ScreeningInput,
} from '../records/screening-record.js';
import { thumbnailFromPixels } from '../records/thumbnail.js';
import { recordsVisitOutcome } from '../records/visit-photo.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';
import type { Announce } from './announcer.js';
import type { RuntimesState } from './models-controller.js';
import { messageOf, StateController, type AppHost } from './state-controller.js';
import {
  currentPhoto,
  eyeForNewPhoto,
  eyeName,
  failsTheGate,
  gradableOnlyAnyway,
  type ScreenPhoto,
  type VisitAction,
  type VisitState,
} from './visit-state.js';

const PREVIEW_MAX_SIDE = 720;
const THUMBNAIL_MAX_SIDE = 160;

const STAGE_TEXT: Record<string, string> = {
  decode: 'Reading the photo…',
  preprocess: 'Finding the retina…',
  models: `Running both models (${RUNTIME_LABELS.tfjs} and ${RUNTIME_LABELS.ort})…`,
};

/** What the visit needs of the models (ModelsController). */
export interface VisitModels {
  readonly pair: ModelPair | null;
  readonly modelsUrl: string;
  readonly state: { readonly runtimes: RuntimesState };
  onProgress(progress: ModelLoadProgress): void;
  gradedWith(result: GradeResult): void;
}

/** What the visit needs of the records (RecordsController): `state.saveState` is the last save's outcome. */
export interface VisitRecords {
  readonly state: { readonly saveState: SaveState | null };
  save(record: PhotoRecord): Promise<void>;
  deleteMany(ids: readonly string[]): Promise<unknown>;
}

export interface VisitOptions {
  /** The worker the photos are read and graded in, shared with the models. */
  service: Pick<InferenceService, 'request' | 'grade'>;
  models: VisitModels;
  records: VisitRecords;
  announce: Announce;
  /** Puts a new result on screen (the view moves focus onto it); its record is saved after. */
  showResult?: (photo: ScreenPhoto) => Promise<void>;
}

/**
 * The screening visit on screen: a patient id, photos of each eye, each read by the worker (retina,
 * quality gate), graded on request (cancellable; "grade anyway" against the gate) and saved as its own
 * record at once. A photo that fails the gate is saved as ungraded as soon as it is read, so the visit
 * in the history is the visit on screen even if the screener walks away; grading it anyway then saves
 * the graded record over it (same id). Renaming the patient or moving a photo to the other eye saves
 * the records again. One grading at a time. Dispatches `fg-grade-failed` on the host.
 */
export class VisitController extends StateController<VisitState> {
  private abort: AbortController | null = null;
  private order = 0;
  /** Saves and deletes, one after another, so that the last word on a record is the last written. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    host: AppHost,
    private readonly options: VisitOptions,
  ) {
    super(host, VisitController.emptyVisit());
    host.addController(this);
  }

  private static emptyVisit(): VisitState {
    return {
      visitId: newVisitId(),
      patientId: '',
      photos: [],
      activeEye: 'right',
      outcome: recordsVisitOutcome([]),
      notices: [],
    };
  }

  /** The photo being graded, if any. */
  get grading(): ScreenPhoto | null {
    return this.state.photos.find((photo) => photo.grading) ?? null;
  }

  /** A grading runs or a result is on screen: the result view is warm or about to be. */
  get busy(): boolean {
    return this.state.photos.some((photo) => photo.grading || photo.result);
  }

  /** Why this photo cannot be graded now; empty when it can (perhaps only anyway: gradableOnlyAnyway). */
  blockerFor(photo: ScreenPhoto): string {
    const { models } = this.options;
    if (photo.readError) return 'Choose another photo.';
    if (!photo.inspect) return 'Reading the photo…';
    if (!photo.inspect.fov.found) return 'No retina was found in this photo.';
    if (!models.pair) return 'No model is available.';
    if (models.state.runtimes === 'starting') return 'Starting the runtimes…';
    if (models.state.runtimes === 'failed') return 'The runtimes did not start (see Status).';
    const grading = this.grading;
    if (grading && grading.id !== photo.id) return `Wait: the ${eyeName(grading.eye)}'s photo is being graded.`;
    return '';
  }

  /** Why each eye's current photo cannot be graded now. */
  get blockers(): Record<VisitEye, string> {
    const blocker = (eye: VisitEye) => {
      const photo = currentPhoto(this.state.photos, eye);
      return photo ? this.blockerFor(photo) : 'Choose a photo first.';
    };
    return { right: blocker('right'), left: blocker('left') };
  }

  perform(action: VisitAction): void {
    switch (action.type) {
      case 'add':
        action.files.forEach((file) => void this.addPhoto(action.eye, file));
        return;
      case 'grade':
        return void this.grade(action.photoId, { anyway: action.anyway });
      case 'cancel':
        return this.cancel();
      case 'show':
        return this.show(action.photoId);
      case 'move':
        return this.move(action.photoId, action.eye);
      case 'remove':
        return void this.remove(action.photoId);
      case 'retry-save':
        return void this.retrySave(action.photoId);
      case 'patient-id':
        return this.setPatientId(action.patientId, { commit: action.commit });
      case 'new-visit':
        return this.newVisit();
      case 'dismiss-notices':
        return this.update({ notices: [] });
    }
  }

  /** Photos shared to the app or opened with it: each to the first eye without a photo (the screener may move it). */
  addLaunched({ files, problems }: LaunchedPhotoBatch): void {
    const eyes = files.map((file) => {
      const eye = eyeForNewPhoto(this.state);
      void this.addPhoto(eye, file);
      return eyeName(eye);
    });
    if (problems.length) this.update({ notices: [...this.state.notices, ...problems] });
    const added = eyes.length
      ? `${eyes.length === 1 ? 'A shared photo was' : `${eyes.length} shared photos were`} added: ${eyes.join(', ')}. Move a photo if it shows the other eye.`
      : '';
    const said = [added, ...problems].filter(Boolean).join(' ');
    if (said) this.options.announce(said);
  }

  /** Adds a photo to an eye, where it becomes the current one; the worker reads it and judges it. */
  async addPhoto(eye: VisitEye, file: File): Promise<void> {
    const photo: ScreenPhoto = {
      id: crypto.randomUUID(),
      eye,
      file,
      order: ++this.order,
      inspect: null,
      readError: '',
      grading: null,
      result: null,
      gradeError: '',
      record: null,
      save: null,
    };
    this.update({ photos: [...this.state.photos, photo], activeEye: eye });
    const { announce, service } = this.options;
    try {
      const image = await file.arrayBuffer();
      const inspect = await service.request(
        'inspect',
        { image, previewMaxSide: PREVIEW_MAX_SIDE, thumbnailMaxSide: THUMBNAIL_MAX_SIDE },
        { transfer: [image] },
      );
      if (!this.patch(photo.id, { inspect })) return;
      const { fov, quality } = inspect;
      const said = !fov.found
        ? fov.message
        : quality.verdict === 'ungradable'
          ? `${quality.issues[0]?.message ?? 'Ungradable.'} You may grade it anyway.`
          : 'Retina found. Ready to grade.';
      announce(`${EYE_NAMES[this.find(photo.id)?.eye ?? eye]} photo loaded. ${said}`);
      if (failsTheGate(inspect)) await this.keepUngraded(photo.id);
    } catch (error) {
      const message = messageOf(error);
      if (this.patch(photo.id, { readError: message })) announce(message);
    }
  }

  /** Grades a photo, then saves its record; `anyway` is needed, and recorded, where the quality gate said ungradable. */
  async grade(photoId: string, { anyway = false } = {}): Promise<void> {
    const photo = this.find(photoId);
    const { models, service, announce } = this.options;
    const pair = models.pair;
    if (!photo?.inspect || !pair || this.blockerFor(photo) || this.grading) return;
    const gradedAnyway = gradableOnlyAnyway(photo);
    if (gradedAnyway && !anyway) return;
    const abort = new AbortController();
    this.abort = abort;
    this.patch(photoId, { grading: { stage: 'Starting…' }, result: null, gradeError: '' });
    this.update({ activeEye: photo.eye });
    announce(gradedAnyway ? 'Grading anyway…' : 'Grading…');
    let result: GradeResult;
    try {
      // The photo the worker kept from the preview; the file is read again only if the worker lost it.
      result = await service.grade(
        () => photo.file.arrayBuffer(),
        {
          modelsUrl: models.modelsUrl,
          models: pair,
          photoId: photo.inspect.photoId,
          thumbnailMaxSide: THUMBNAIL_MAX_SIDE,
        },
        { signal: abort.signal, onProgress: (p) => this.onProgress(photoId, p) },
      );
    } catch (error) {
      const cancelled = error instanceof InferenceError && error.code === 'aborted';
      const message = cancelled ? '' : messageOf(error);
      this.patch(photoId, { gradeError: message });
      announce(cancelled ? 'Grading cancelled.' : `Grading failed: ${message}`);
      this.emit('fg-grade-failed', { message: cancelled ? 'cancelled' : message });
      return;
    } finally {
      if (this.abort === abort) this.abort = null;
      this.patch(photoId, { grading: null });
    }
    models.gradedWith(result);
    // The photo as it is now: the screener may have moved it, or renamed the patient, meanwhile.
    const now = this.find(photoId);
    if (!now) return;
    const record = { ...toScreeningRecord(result, { ...this.recordInput(now), gradedAnyway }), id: photoId };
    this.patch(photoId, { result, record });
    const { grade, refer, agree } = result.outcome;
    announce(
      `${EYE_NAMES[now.eye]}: grade ${grade}, ${GRADE_NAMES[grade]}. ${refer ? 'Refer to an ophthalmologist.' : 'No referral needed.'}${agree ? '' : ' The models disagree.'}`,
    );
    await (this.options.showResult?.(now) ?? this.host.updateComplete);
    await this.write(photoId, record);
  }

  /** Stops the grading in progress; it ends as cancelled, with no error shown. */
  cancel(): void {
    this.abort?.abort();
  }

  /** Makes a photo its eye's current one again. */
  show(photoId: string): void {
    const photo = this.find(photoId);
    if (!photo) return;
    this.patch(photoId, { order: ++this.order });
    this.update({ activeEye: photo.eye });
  }

  /** Moves a photo to the other eye, as its current photo; its record is saved again with that eye. */
  move(photoId: string, eye: VisitEye): void {
    const photo = this.find(photoId);
    if (!photo || photo.eye === eye) return;
    const record = photo.record ? { ...photo.record, eye } : null;
    this.patch(photoId, { eye, order: ++this.order, record });
    this.update({ activeEye: eye });
    this.options.announce(`Photo moved to the ${eyeName(eye)}.`);
    if (record) void this.write(photoId, record);
  }

  /** Takes a photo out of the visit, and its record out of the history. */
  async remove(photoId: string): Promise<void> {
    const photo = this.find(photoId);
    if (!photo) return;
    if (photo.grading) this.cancel();
    this.update({ photos: this.state.photos.filter((p) => p.id !== photoId) });
    if (photo.record) await this.queue(() => this.options.records.deleteMany([photoId]));
    this.options.announce(`Photo removed from the ${eyeName(photo.eye)}.`);
  }

  /** "Save again" for a photo whose save failed. */
  async retrySave(photoId: string): Promise<void> {
    const photo = this.find(photoId);
    if (photo?.record && photo.save?.state === 'failed') await this.write(photoId, photo.record);
  }

  /** The patient id as typed; `commit` (the field was left) saves the visit's records again under it. */
  setPatientId(patientId: string, { commit = false } = {}): void {
    this.update({ patientId });
    if (!commit) return;
    const id = patientId.trim();
    for (const photo of this.state.photos) {
      if (!photo.record || photo.record.patientId === id) continue;
      const record = { ...photo.record, patientId: id };
      this.patch(photo.id, { record });
      void this.write(photo.id, record);
    }
  }

  /** A visit of the next patient; the one on screen is already saved, photo by photo. */
  newVisit(): void {
    if (this.grading) return;
    this.setPatientId(this.state.patientId, { commit: true });
    this.set(VisitController.emptyVisit());
    this.options.announce('New visit started.');
  }

  /** A photo that fails the gate, saved as kept without grading, unless it was graded meanwhile. */
  private async keepUngraded(photoId: string): Promise<void> {
    const inspect = this.find(photoId)?.inspect;
    if (!inspect) return;
    const thumbnail = await thumbnailFromPixels(inspect.preview, THUMBNAIL_MAX_SIDE).catch(() => null);
    const photo = this.find(photoId);
    if (!photo || photo.result || photo.record) return;
    const record = { ...toUngradedRecord({ ...inspect, thumbnail }, this.recordInput(photo)), id: photoId };
    this.patch(photoId, { record });
    await this.write(photoId, record);
  }

  private recordInput(photo: ScreenPhoto): Omit<ScreeningInput, 'gradedAnyway'> {
    return { patientId: this.state.patientId, eye: photo.eye, fileName: photo.file.name, visitId: this.state.visitId };
  }

  /** Saves a photo's record after the writes before it; its save state shows on the photo while it is in the visit. */
  private async write(photoId: string, record: PhotoRecord): Promise<void> {
    const visitId = this.state.visitId;
    this.patch(photoId, { save: { state: 'saving' } });
    await this.queue(async () => {
      const { records } = this.options;
      await records.save(record);
      if (this.state.visitId === visitId && this.find(photoId)?.record === record)
        this.patch(photoId, { save: records.state.saveState ?? { state: 'saved' } });
    });
  }

  private queue(work: () => Promise<unknown>): Promise<void> {
    const next = this.writes.then(work).then(
      () => undefined,
      (error: unknown) => this.options.announce(`The visit could not be updated on this device: ${messageOf(error)}`),
    );
    this.writes = next;
    return next;
  }

  private find(photoId: string): ScreenPhoto | undefined {
    return this.state.photos.find((photo) => photo.id === photoId);
  }

  /** Changes one photo of the visit on screen; false when it is no longer there. */
  private patch(photoId: string, change: Partial<ScreenPhoto>): boolean {
    if (!this.find(photoId)) return false;
    this.update({ photos: this.state.photos.map((photo) => (photo.id === photoId ? { ...photo, ...change } : photo)) });
    return true;
  }

  /** Every change goes through here: the outcome is always the one of the records on screen. */
  private update(change: Partial<Omit<VisitState, 'outcome'>>): void {
    const photos = change.photos ?? this.state.photos;
    const records = photos.flatMap((photo) => (photo.record ? [photo.record] : []));
    this.set({ ...change, outcome: recordsVisitOutcome(records) });
  }

  private onProgress(photoId: string, progress: GradeProgress): void {
    if (!this.find(photoId)?.grading) return;
    let stage: string;
    if (progress.stage === 'download') {
      this.options.models.onProgress(progress);
      stage = `Downloading the model: ${formatBytes(progress.loadedBytes)} of ${formatBytes(progress.totalBytes)}…`;
    } else if (progress.stage === 'warm-up') {
      this.options.models.onProgress(progress);
      stage = 'Compiling shaders and warming up…';
    } else {
      stage = STAGE_TEXT[progress.stage] ?? '';
    }
    this.patch(photoId, { grading: { stage } });
  }
}

declare global {
  interface HTMLElementEventMap {
    /** The grading failed; `message` is 'cancelled' when it was stopped. */
    'fg-grade-failed': CustomEvent<{ message: string }>;
    /** A view asks the visit for something (VisitController.perform). */
    'fg-visit-action': CustomEvent<VisitAction>;
  }
}
