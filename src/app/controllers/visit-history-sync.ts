import type { PhotoRecord } from '../records/screening-record.js';
import type { RecordsWatcher } from './records-controller.js';
import type { ScreenPhoto, VisitState } from './visit-state.js';

/** The visit on screen, as the sync reads and changes it (VisitController). */
export interface SyncedVisit {
  current(): VisitState;
  setPhotos(photos: readonly ScreenPhoto[]): void;
  /** Stops the grading in progress. */
  cancel(): void;
}

/**
 * Keeps the visit on screen the visit on record when History deletes some of its photos: they leave
 * the visit as if removed here, so that its summary and referral count only what is on the device, and
 * come back as they were with History's Undo.
 */
export class VisitHistorySync implements RecordsWatcher {
  /** This visit's photos deleted in History, kept for its Undo. */
  private readonly deletedPhotos = new Map<string, ScreenPhoto>();

  constructor(private readonly visit: SyncedVisit) {}

  deleted(ids: readonly string[]): void {
    const { photos } = this.visit.current();
    const gone = photos.filter((photo) => photo.record && ids.includes(photo.id));
    if (!gone.length) return;
    if (gone.some((photo) => photo.grading)) this.visit.cancel();
    for (const photo of gone) this.deletedPhotos.set(photo.id, photo);
    this.visit.setPhotos(photos.filter((photo) => !gone.includes(photo)));
  }

  restored(records: readonly PhotoRecord[]): void {
    const back = records.flatMap((record): ScreenPhoto[] => {
      const photo = this.deletedPhotos.get(record.id);
      this.deletedPhotos.delete(record.id);
      return photo ? [{ ...photo, grading: null, record, save: { state: 'saved' } }] : [];
    });
    if (back.length) this.visit.setPhotos([...this.visit.current().photos, ...back]);
  }

  /** A new visit: the photos of the one before are no longer on screen to come back to. */
  forget(): void {
    this.deletedPhotos.clear();
  }
}
