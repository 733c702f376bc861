/**
 * One labelled fundus photograph, whichever dataset it came from: a KaggleRecord plus the fields
 * only some datasets carry. IDRiD grades the risk of diabetic macular edema; EyePACS does not.
 */
import type { KaggleRecord } from './kaggle-loader.js';

/** IDRiD's "Risk of macular edema": 0 none, 1 hard exudates far from the macula centre, 2 near it. */
export type MacularEdemaRisk = 0 | 1 | 2;

export interface FundusRecord extends KaggleRecord {
  /** `null` where the dataset does not grade it (Kaggle EyePACS, our synthetic sets). */
  readonly macularEdemaRisk: MacularEdemaRisk | null;
}

export function isMacularEdemaRisk(value: unknown): value is MacularEdemaRisk {
  return value === 0 || value === 1 || value === 2;
}

/** A Kaggle record as a FundusRecord: nothing known about macular edema. */
export function fromKaggleRecord(record: KaggleRecord): FundusRecord {
  return { ...record, macularEdemaRisk: null };
}
