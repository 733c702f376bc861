import type { Grade } from '../../shared/grades.js';
import { Rng } from './random.js';

/**
 * Up to `count` records taken round-robin over the grades (shuffled within each by `seed`), so a
 * small sample still holds every grade's lesions: what BatchNorm statistics are estimated from.
 */
export function spreadOverGrades<T extends { readonly level: Grade }>(records: readonly T[], count: number, seed: number): T[] {
  const random = new Rng(seed);
  const byGrade = ([0, 1, 2, 3, 4] as const).map((g) => random.shuffle(records.filter((r) => r.level === g)));
  const chosen: T[] = [];
  for (let i = 0; chosen.length < Math.min(count, records.length); i++) {
    for (const group of byGrade) if (group[i] && chosen.length < count) chosen.push(group[i]!);
  }
  return chosen;
}
