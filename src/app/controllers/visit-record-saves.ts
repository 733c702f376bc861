import type { SaveState } from '../components/fg-grade-result.js';
import { toUngradedRecord, type PhotoRecord, type ScreeningInput } from '../records/screening-record.js';
import { thumbnailFromPixels } from '../records/thumbnail.js';
import type { Announce } from './announcer.js';
import type { RecordsWatcher } from './records-controller.js';
import { messageOf } from './state-controller.js';
import type { ScreenPhoto, VisitState } from './visit-state.js';

/** The thumbnail a record keeps, in px on its longer side. */
export const THUMBNAIL_MAX_SIDE = 160;

/** What the visit needs of the records (RecordsController). */
export interface VisitRecords {
  /** Resolves with how the save went; never rejects. */
  save(record: PhotoRecord): Promise<SaveState>;
  deleteMany(ids: readonly string[]): Promise<unknown>;
  watch(watcher: RecordsWatcher): () => void;
}

/** The visit on screen, as its saves read and change it (VisitController). */
export interface VisitPhotos {
  current(): VisitState;
  /** Changes one photo of the visit on screen; false when it is no longer there. */
  patch(photoId: string, change: Partial<ScreenPhoto>): boolean;
}

/** What a re-save changes in a photo's record. */
type RecordChange = Partial<Pick<PhotoRecord, 'patientId' | 'eye'>>;

/**
 * The records of a visit's photos, each under its photo's id: saved once the photo is graded or kept
 * as ungraded, saved again under the same id when the patient id or the photo's eye changes and on
 * "Save again", deleted with the photo. Writes run one after another, so that the last word on a record
 * is the last written; a save outlives the photo on screen (a new visit, a removal).
 */
export class VisitRecordSaves {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly records: VisitRecords,
    private readonly visit: VisitPhotos,
    private readonly announce: Announce,
  ) {}

  /** What a photo's record takes from the visit. */
  recordInput(photo: ScreenPhoto): Omit<ScreeningInput, 'gradedAnyway'> {
    const { patientId, visitId } = this.visit.current();
    return { patientId, eye: photo.eye, fileName: photo.file.name, visitId };
  }

  /** Saves a photo's record after the writes before it; its save state shows on the photo while it is in the visit. */
  async save(photoId: string, record: PhotoRecord): Promise<void> {
    const visitId = this.visit.current().visitId;
    this.visit.patch(photoId, { save: { state: 'saving' } });
    await this.queue(async () => {
      const save = await this.records.save(record);
      const now = this.visit.current();
      if (now.visitId === visitId && this.find(photoId)?.record === record) this.visit.patch(photoId, { save });
    });
  }

  /** A photo that fails the gate, saved as kept without grading, unless it was graded meanwhile. */
  async keepUngraded(photoId: string): Promise<void> {
    const inspect = this.find(photoId)?.inspect;
    if (!inspect) return;
    const thumbnail = await thumbnailFromPixels(inspect.preview, THUMBNAIL_MAX_SIDE).catch(() => null);
    const photo = this.find(photoId);
    if (!photo || photo.result || photo.record) return;
    const record = { ...toUngradedRecord({ ...inspect, thumbnail }, this.recordInput(photo)), id: photoId };
    this.visit.patch(photoId, { record });
    await this.save(photoId, record);
  }

  /** The photo's record with this change, on the photo and saved again under its id; nothing without a record. */
  saveChanged(photoId: string, change: RecordChange): void {
    const before = this.find(photoId)?.record;
    if (!before) return;
    const record = { ...before, ...change };
    this.visit.patch(photoId, { record });
    void this.save(photoId, record);
  }

  /** The patient id committed: every record of the visit under another id is saved again under it. */
  savePatientId(patientId: string): void {
    for (const photo of this.visit.current().photos)
      if (photo.record && photo.record.patientId !== patientId) this.saveChanged(photo.id, { patientId });
  }

  /** "Save again" for a photo whose save failed. */
  async retry(photoId: string): Promise<void> {
    const photo = this.find(photoId);
    if (photo?.record && photo.save?.state === 'failed') await this.save(photoId, photo.record);
  }

  /** Deletes the record of a photo taken out of the visit, after the writes before it. */
  async delete(photo: ScreenPhoto): Promise<void> {
    if (photo.record) await this.queue(() => this.records.deleteMany([photo.id]));
  }

  private find(photoId: string): ScreenPhoto | undefined {
    return this.visit.current().photos.find((photo) => photo.id === photoId);
  }

  private queue(work: () => Promise<unknown>): Promise<void> {
    const next = this.writes.then(work).then(
      () => undefined,
      (error: unknown) => this.announce(`The visit could not be updated on this device: ${messageOf(error)}`),
    );
    this.writes = next;
    return next;
  }
}
