/**
 * Train/validation split by patient: both eyes of a patient land on the same side, so the model is
 * never validated on the fellow eye of someone it trained on (fellow eyes look alike and usually
 * share a grade). Stratified on each patient's worst grade, deterministic for a seed, and
 * independent of the order records come in.
 */
import type { Grade } from '../../shared/grades.js';
import { hashSeed, Rng } from './random.js';

export interface SplittableRecord {
  readonly image: string;
  readonly patientId: string;
  readonly level: Grade;
}

export interface SplitOptions {
  readonly seed: number;
  /** Share of patients (per stratum) that go to validation; default 0.2. */
  readonly validationFraction?: number;
}

export interface Split<T> {
  readonly train: T[];
  readonly validation: T[];
}

export function splitByPatient<T extends SplittableRecord>(records: readonly T[], options: SplitOptions): Split<T> {
  const fraction = options.validationFraction ?? 0.2;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`validationFraction must be within 0..1, got ${fraction}`);
  const seen = new Set<string>();
  const patients = new Map<string, Grade>();
  for (const r of records) {
    if (seen.has(r.image)) throw new Error(`image "${r.image}" is listed twice; a split must never hold an image twice`);
    seen.add(r.image);
    patients.set(r.patientId, Math.max(patients.get(r.patientId) ?? 0, r.level) as Grade);
  }
  const strata = new Map<Grade, string[]>();
  for (const [patient, worst] of patients) {
    const list = strata.get(worst) ?? [];
    list.push(patient);
    strata.set(worst, list);
  }
  const validationPatients = new Set<string>();
  for (const [grade, list] of strata) {
    list.sort();
    new Rng(hashSeed('split', options.seed, grade)).shuffle(list);
    for (const patient of list.slice(0, Math.round(list.length * fraction))) validationPatients.add(patient);
  }
  const train: T[] = [];
  const validation: T[] = [];
  for (const r of records) (validationPatients.has(r.patientId) ? validation : train).push(r);
  return { train, validation };
}
