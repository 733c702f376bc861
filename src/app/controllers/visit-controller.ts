import type { VisitEye } from '../../shared/visit-outcome.js';
import type { InferenceService } from '../inference-service.js';
import type { LaunchedPhotoBatch } from '../launch/launched-photos.js';
import { newVisitId } from '../records/screening-record.js';
import { recordsVisitOutcome } from '../records/visit-photo.js';
import type { Announce } from './announcer.js';
import { StateController, type AppHost } from './state-controller.js';
import { VisitGrading, type VisitModels } from './visit-grading.js';
import { VisitHistorySync } from './visit-history-sync.js';
import { launchedPhotosSaid, readPhoto } from './visit-photo-reading.js';
import { VisitRecordSaves, type VisitRecords } from './visit-record-saves.js';
import { eyeForNewPhoto, eyeName, type ScreenPhoto, type VisitAction, type VisitState } from './visit-state.js';

export type { VisitModels } from './visit-grading.js';
export type { VisitRecords } from './visit-record-saves.js';

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
 * the records again (VisitRecordSaves). A photo deleted in History leaves the visit too, and comes back
 * with History's Undo. One grading at a time. Dispatches `fg-grade-failed` on the host.
 */
export class VisitController extends StateController<VisitState> {
  private order = 0;
  private readonly saves: VisitRecordSaves;
  private readonly gradings: VisitGrading;
  private readonly historySync: VisitHistorySync;
  /** The visit's photos, as its parts read and change them. */
  private readonly photos = {
    current: () => this.state,
    patch: (photoId: string, change: Partial<ScreenPhoto>) => this.patch(photoId, change),
    setActiveEye: (activeEye: VisitEye) => this.update({ activeEye }),
    setPhotos: (photos: readonly ScreenPhoto[]) => this.update({ photos }),
    cancel: () => this.cancel(),
  };
  private unwatchRecords: (() => void) | null = null;

  constructor(
    host: AppHost,
    private readonly options: VisitOptions,
  ) {
    super(host, VisitController.emptyVisit());
    const { service, models, records, announce } = options;
    this.saves = new VisitRecordSaves(records, this.photos, announce);
    this.gradings = new VisitGrading(this.photos, {
      service,
      models,
      announce,
      saves: this.saves,
      showResult: (photo) => options.showResult?.(photo) ?? host.updateComplete.then(() => undefined),
      failed: (message) => this.emit('fg-grade-failed', { message }),
    });
    this.historySync = new VisitHistorySync(this.photos);
    host.addController(this);
  }

  override hostConnected(): void {
    this.unwatchRecords = this.options.records.watch(this.historySync);
  }

  override hostDisconnected(): void {
    this.unwatchRecords?.();
    this.unwatchRecords = null;
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

  /** A grading runs or a result is on screen: the result view is warm or about to be. */
  get busy(): boolean {
    return this.state.photos.some((photo) => photo.grading || photo.result);
  }

  /** Why this photo cannot be graded now; empty when it can (perhaps only anyway: gradableOnlyAnyway). */
  blockerFor(photo: ScreenPhoto): string {
    return this.gradings.blockerFor(photo);
  }

  /** Why each eye's current photo cannot be graded now. */
  get blockers(): Record<VisitEye, string> {
    return this.gradings.blockers;
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
        return void this.saves.retry(action.photoId);
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
    const said = launchedPhotosSaid(eyes, problems);
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
    const { service, announce } = this.options;
    await readPhoto(photo, { service, visit: this.photos, saves: this.saves, announce });
  }

  /** Grades a photo, then saves its record; `anyway` is needed, and recorded, where the quality gate said ungradable. */
  grade(photoId: string, options: { anyway?: boolean } = {}): Promise<void> {
    return this.gradings.grade(photoId, options);
  }

  /** Stops the grading in progress; it ends as cancelled, with no error shown. */
  cancel(): void {
    this.gradings.cancel();
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
    this.patch(photoId, { eye, order: ++this.order });
    this.update({ activeEye: eye });
    this.options.announce(`Photo moved to the ${eyeName(eye)}.`);
    this.saves.saveChanged(photoId, { eye });
  }

  /** Takes a photo out of the visit, and its record out of the history. */
  async remove(photoId: string): Promise<void> {
    const photo = this.find(photoId);
    if (!photo) return;
    if (photo.grading) this.cancel();
    this.update({ photos: this.state.photos.filter((p) => p.id !== photoId) });
    await this.saves.delete(photo);
    this.options.announce(`Photo removed from the ${eyeName(photo.eye)}.`);
  }

  /** "Save again" for a photo whose save failed. */
  retrySave(photoId: string): Promise<void> {
    return this.saves.retry(photoId);
  }

  /** The patient id as typed; `commit` (the field was left) saves the visit's records again under it. */
  setPatientId(patientId: string, { commit = false } = {}): void {
    this.update({ patientId });
    if (commit) this.saves.savePatientId(patientId.trim());
  }

  /** A visit of the next patient; the one on screen is already saved, photo by photo. */
  newVisit(): void {
    if (this.gradings.current) return;
    this.setPatientId(this.state.patientId, { commit: true });
    this.set(VisitController.emptyVisit());
    this.historySync.forget();
    this.options.announce('New visit started.');
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
}

declare global {
  interface HTMLElementEventMap {
    /** The grading failed; `message` is 'cancelled' when it was stopped. */
    'fg-grade-failed': CustomEvent<{ message: string }>;
    /** A view asks the visit for something (VisitController.perform). */
    'fg-visit-action': CustomEvent<VisitAction>;
  }
}
