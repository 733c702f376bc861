/**
 * The history as the screener reads it: patients, each with their visits, each visit with its photos by
 * eye and its outcome. Pure: built from the store's records (ScreeningStore.listPhotos) whenever they change.
 */
import type { VisitOutcome } from '../../shared/visit-outcome.js';
import type { Eye, PhotoRecord } from './screening-record.js';
import { recordsVisitOutcome } from './visit-photo.js';

export const NO_PATIENT_ID_LABEL = 'No patient id';

export interface HistoryVisit {
  visitId: string;
  patientId: string;
  /** When the visit began: its first photo's time (ms since the epoch). */
  startedAt: number;
  /** Its last photo's time. */
  lastPhotoAt: number;
  /** Every photo of the visit, newest first. */
  photos: PhotoRecord[];
  /** The same photos by the eye recorded, newest first ('unspecified': saved without an eye). */
  eyes: Record<Eye, PhotoRecord[]>;
  outcome: VisitOutcome;
}

export interface HistoryPatient {
  /** Unique in the history: the patient id, or for a visit without one, that visit's own key. */
  key: string;
  /** As recorded; empty for a visit without one. */
  patientId: string;
  /** The patient id, or NO_PATIENT_ID_LABEL. */
  label: string;
  /** Newest first (by when they began); never empty. */
  visits: HistoryVisit[];
}

const byNewestPhoto = (a: PhotoRecord, b: PhotoRecord) => b.createdAt - a.createdAt || b.id.localeCompare(a.id);
const byNewestVisit = (a: HistoryVisit, b: HistoryVisit) =>
  b.startedAt - a.startedAt || b.lastPhotoAt - a.lastPhotoAt || b.visitId.localeCompare(a.visitId);

function toVisit(photos: PhotoRecord[]): HistoryVisit {
  photos.sort(byNewestPhoto);
  const first = photos[photos.length - 1]!;
  const eyes: Record<Eye, PhotoRecord[]> = { left: [], right: [], unspecified: [] };
  for (const photo of photos) eyes[photo.eye].push(photo);
  return {
    visitId: first.visitId,
    patientId: first.patientId,
    startedAt: first.createdAt,
    lastPhotoAt: photos[0]!.createdAt,
    photos,
    eyes,
    outcome: recordsVisitOutcome(photos),
  };
}

/**
 * Patients, the one with the newest visit first; each patient's visits newest first. Patient ids match
 * exactly (as saved, trimmed). Visits without a patient id are not merged, as nothing says they are one
 * person's: each stands alone under NO_PATIENT_ID_LABEL. Photos are grouped by patient id and visit id
 * together, so a visit whose photos somehow carry two patient ids shows under each patient with only
 * that patient's photos, never under the wrong one. Records from before visits are a visit each.
 */
export function groupHistory(records: readonly PhotoRecord[]): HistoryPatient[] {
  const visits = new Map<string, PhotoRecord[]>();
  for (const record of records) {
    const key = JSON.stringify([record.patientId, record.visitId]);
    const photos = visits.get(key);
    if (photos) photos.push(record);
    else visits.set(key, [record]);
  }
  const patients = new Map<string, HistoryPatient>();
  for (const [visitKey, photos] of visits) {
    const visit = toVisit(photos);
    const key = visit.patientId ? `patient:${visit.patientId}` : `visit:${visitKey}`;
    const patient = patients.get(key);
    if (patient) patient.visits.push(visit);
    else
      patients.set(key, {
        key,
        patientId: visit.patientId,
        label: visit.patientId || NO_PATIENT_ID_LABEL,
        visits: [visit],
      });
  }
  const grouped = [...patients.values()];
  for (const patient of grouped) patient.visits.sort(byNewestVisit);
  return grouped.sort((a, b) => byNewestVisit(a.visits[0]!, b.visits[0]!));
}

/** The records of one eye of a visit (for deleting that eye's results). */
export function eyePhotoIds(visit: HistoryVisit, eye: Eye): string[] {
  return visit.eyes[eye].map((photo) => photo.id);
}

/** Every record of a visit (for deleting the whole visit). */
export function visitPhotoIds(visit: HistoryVisit): string[] {
  return visit.photos.map((photo) => photo.id);
}
