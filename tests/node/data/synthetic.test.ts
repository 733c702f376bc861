import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { loadKaggleDataset } from '../../../src/pipeline/data/kaggle-loader.js';
import { writeSyntheticDataset } from '../../../src/pipeline/data/synthetic/dataset.js';
import { generateFundus } from '../../../src/pipeline/data/synthetic/generate.js';
import { EYEPACS_DISTRIBUTION, gradeCounts, planDataset } from '../../../src/pipeline/data/synthetic/plan.js';
import { sampleScene } from '../../../src/pipeline/data/synthetic/scene.js';
import type { Lesion, LesionCounts, Scene } from '../../../src/pipeline/data/synthetic/scene-types.js';
import { GRADE_COUNT, type Grade } from '../../../src/shared/grades.js';
import { tempDir } from './support/fixtures.js';

function scenes(grade: Grade, n = 8): Scene[] {
  return Array.from({ length: n }, (_, i) => sampleScene({ seed: 1000 + i, grade, eye: i % 2 ? 'left' : 'right' }));
}

const any = (list: Scene[], key: keyof LesionCounts): boolean => list.some((s) => s.counts[key] > 0);
const all = (list: Scene[], key: keyof LesionCounts): boolean => list.every((s) => s.counts[key] > 0);
const none = (list: Scene[], key: keyof LesionCounts): boolean => list.every((s) => s.counts[key] === 0);

describe('synthetic fundus generator', () => {
  it('is deterministic: the same seed gives identical bytes, another seed different ones', async () => {
    for (const format of ['jpeg', 'png'] as const) {
      const request = { seed: 42, grade: 3 as Grade, eye: 'left' as const, size: 128, format };
      const a = await generateFundus(request);
      const b = await generateFundus(request);
      const c = await generateFundus({ ...request, seed: 43 });
      assert.ok(a.bytes.equals(b.bytes), `${format}: same seed, same bytes`);
      assert.ok(!a.bytes.equals(c.bytes), `${format}: other seed, other bytes`);
      const meta = await sharp(a.bytes).metadata();
      assert.equal(meta.format, format);
      assert.equal(meta.width, 128);
    }
  });

  it('draws each grade with its own lesion types', () => {
    const g0 = scenes(0);
    for (const key of Object.keys(g0[0]!.counts) as (keyof LesionCounts)[]) assert.ok(none(g0, key), `grade 0 has no ${key}`);

    const g1 = scenes(1);
    assert.ok(all(g1, 'microaneurysms'));
    for (const key of ['haemorrhages', 'hardExudates', 'cottonWoolSpots', 'irma', 'neovascularization'] as const) assert.ok(none(g1, key), `grade 1 has no ${key}`);

    const g2 = scenes(2);
    assert.ok(all(g2, 'haemorrhages') && any(g2, 'hardExudates') && any(g2, 'cottonWoolSpots'));
    for (const key of ['beadedVeins', 'irma', 'neovascularization', 'preretinalHaemorrhages'] as const) assert.ok(none(g2, key), `grade 2 has no ${key}`);

    const g3 = scenes(3);
    assert.ok(g3.every((s) => s.counts.haemorrhages >= 16 && s.counts.irma >= 2));
    assert.ok(any(g3, 'beadedVeins'));
    assert.ok(none(g3, 'neovascularization') && none(g3, 'preretinalHaemorrhages'));
    for (const s of g3) {
      // Haemorrhages in all four quadrants around the FOV centre.
      const quadrants = new Set(
        s.deepLesions.filter((l): l is Extract<Lesion, { kind: 'haemorrhage' }> => l.kind === 'haemorrhage').map((l) => `${l.parts[0]!.u > 0}${l.parts[0]!.v > 0}`),
      );
      assert.equal(quadrants.size, 4);
      assert.ok(s.vessels.some((v) => v.kind === 'irma'));
    }

    const g4 = scenes(4);
    assert.ok(all(g4, 'neovascularization') && any(g4, 'preretinalHaemorrhages'));
    assert.ok(g4.every((s) => s.vessels.some((v) => v.kind === 'neovascular')));
  });

  it('puts the optic disc on the nasal side: right of centre for a right eye, left for a left eye', () => {
    for (let seed = 0; seed < 6; seed++) {
      assert.ok(sampleScene({ seed, grade: 0, eye: 'right' }).disc.u > 0.25);
      assert.ok(sampleScene({ seed, grade: 0, eye: 'left' }).disc.u < -0.25);
    }
  });
});

describe('planDataset', () => {
  it('hits the requested class balance exactly', () => {
    const plan = planDataset({ count: 1000, seed: 1, balance: 'eyepacs' });
    const counts = new Array<number>(GRADE_COUNT).fill(0);
    for (const p of plan) counts[p.grade]!++;
    assert.deepEqual(counts, gradeCounts(1000, EYEPACS_DISTRIBUTION));
    assert.deepEqual(counts, [734, 70, 151, 25, 20]);
    const balanced = planDataset({ count: 10, seed: 1, balance: 'balanced' });
    assert.deepEqual([0, 1, 2, 3, 4].map((g) => balanced.filter((p) => p.grade === g).length), [2, 2, 2, 2, 2]);
  });

  it('gives each patient a left and a right eye, usually of the same grade', () => {
    const plan = planDataset({ count: 400, seed: 2, balance: 'balanced' });
    assert.equal(new Set(plan.map((p) => p.image)).size, 400);
    const byPatient = new Map<string, Grade[]>();
    for (const p of plan) {
      assert.equal(p.image, `${p.patientId}_${p.eye}`);
      byPatient.set(p.patientId, [...(byPatient.get(p.patientId) ?? []), p.grade]);
    }
    assert.equal(byPatient.size, 200);
    const pairs = [...byPatient.values()];
    const same = pairs.filter(([a, b]) => a === b).length;
    assert.ok(same / pairs.length > 0.7 && same < pairs.length, `${same} of ${pairs.length} patients with equal grades`);
    assert.ok(pairs.every(([a, b]) => Math.abs(a! - b!) <= 1), 'fellow eyes differ by at most one grade');
    assert.deepEqual(planDataset({ count: 400, seed: 2, balance: 'balanced' }), plan);
    assert.notDeepEqual(planDataset({ count: 400, seed: 3, balance: 'balanced' }), plan);
  });
});

describe('writeSyntheticDataset', () => {
  it('writes the Kaggle layout that the loader reads back, and resumes without rewriting', async (t) => {
    const dir = await tempDir(t);
    const settings = { outDir: dir, count: 11, seed: 5, size: 96, balance: 'balanced' as const, format: 'jpeg' as const };
    const first = await writeSyntheticDataset(settings);
    assert.equal(first.written, 11);
    assert.deepEqual(first.perGrade, [3, 2, 2, 2, 2]);

    const csv = await readFile(join(dir, 'trainLabels.csv'), 'utf8');
    assert.match(csv, /^image,level\n\d+_(left|right),[0-4]\n/);
    const records = await loadKaggleDataset(dir);
    const plan = planDataset(settings);
    assert.deepEqual(
      records.map((r) => [r.image, r.level, r.patientId, r.eye, r.path]),
      plan.map((p) => [p.image, p.grade, p.patientId, p.eye, join(dir, `${p.image}.jpeg`)]),
    );
    const lesions = (await readFile(join(dir, 'lesions.csv'), 'utf8')).trim().split('\n');
    assert.equal(lesions.length, 12);
    assert.match(lesions[0]!, /^image,level,microaneurysms,haemorrhages,/);
    for (const name of ['contact-sheet.png', 'class-distribution.png']) {
      const meta = await sharp(join(dir, name)).metadata();
      assert.equal(meta.format, 'png');
      assert.ok(meta.width > 300 && meta.height > 200, name);
    }

    const before = await readFile(records[0]!.path);
    const again = await writeSyntheticDataset(settings);
    assert.deepEqual([again.written, again.skipped], [0, 11]);
    assert.ok((await readFile(records[0]!.path)).equals(before));

    await assert.rejects(writeSyntheticDataset({ ...settings, seed: 6 }), /other settings.*--force/);
    const forced = await writeSyntheticDataset({ ...settings, seed: 6, force: true });
    assert.equal(forced.written, 11);
  });
});
