import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  fitStandardisation,
  LESION_COLUMNS,
  lesionCountsOf,
  lesionTargets,
  parseLesionsCsv,
  readLesionsCsv,
  standardisedTargets,
} from '../../../src/pipeline/train/lesion-targets.js';

const HEADER = `image,level,${LESION_COLUMNS.join(',')}`;

/** A lesions.csv row: image, level, then the eight counts. */
const row = (image: string, level: number, counts: readonly number[]) => [image, level, ...counts].join(',');

describe('lesions.csv', () => {
  it('reads rows by image, tolerating a BOM, CRLF and blank lines', () => {
    const text = `\uFEFF${HEADER}\r\n${row('1_left', 2, [3, 1, 0, 0, 0, 0, 0, 0])}\r\n\r\n${row('1_right', 0, [0, 0, 0, 0, 0, 0, 0, 0])}\r\n`;
    const rows = parseLesionsCsv(text, 'lesions.csv');
    assert.deepEqual([...rows.keys()], ['1_left', '1_right']);
    assert.deepEqual(rows.get('1_left'), { level: 2, counts: [3, 1, 0, 0, 0, 0, 0, 0], line: 2 });
    assert.equal(rows.get('1_right')!.line, 4);
  });

  const cases: Array<[string, string, RegExp]> = [
    ['an empty file', '', /^x\.csv: file is empty/],
    ['another header', 'image,level\n1_left,0\n', /^x\.csv:1: expected the header "image,level,microaneurysms,/],
    [
      'a short row',
      `${HEADER}\n1_left,0,1,2\n`,
      /^x\.csv:2: malformed row "1_left,0,1,2": expected 10 comma-separated fields, got 4/,
    ],
    [
      'a fractional count',
      `${HEADER}\n${row('1_left', 0, [0, 1.5, 0, 0, 0, 0, 0, 0])}\n`,
      /^x\.csv:2: haemorrhages of image "1_left" must be a whole number ≥ 0, got "1\.5"/,
    ],
    [
      'a negative count',
      `${HEADER}\n\n${row('1_left', 0, [0, 0, 0, 0, 0, 0, 0, -2])}\n`,
      /^x\.csv:3: preretinalHaemorrhages of image "1_left" must be a whole number/,
    ],
    [
      'a duplicate image',
      `${HEADER}\n${row('1_left', 0, [0, 0, 0, 0, 0, 0, 0, 0])}\n${row('1_left', 0, [0, 0, 0, 0, 0, 0, 0, 0])}\n`,
      /^x\.csv:3: duplicate image "1_left" \(first listed on line 2\)/,
    ],
    ['only a header', `${HEADER}\n`, /^x\.csv: no rows after the header/],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}, naming the file and line`, () =>
      assert.throws(() => parseLesionsCsv(text, 'x.csv'), { name: 'DataError', message }));
  }

  it('needs a row for every image, with the same grade as trainLabels.csv', () => {
    const rows = parseLesionsCsv(`${HEADER}\n${row('1_left', 2, [1, 0, 0, 0, 0, 0, 0, 0])}\n`, 'd/lesions.csv');
    assert.deepEqual(lesionCountsOf([{ image: '1_left', level: 2 }], rows, 'd/lesions.csv'), [
      [1, 0, 0, 0, 0, 0, 0, 0],
    ]);
    assert.throws(() => lesionCountsOf([{ image: '7_right', level: 0 }], rows, 'd/lesions.csv'), {
      message: /^d\/lesions\.csv: no lesion counts for image "7_right" \(listed in trainLabels\.csv\)/,
    });
    assert.throws(() => lesionCountsOf([{ image: '1_left', level: 3 }], rows, 'd/lesions.csv'), {
      message: /^d\/lesions\.csv:2: image "1_left" has level 2 here but 3 in trainLabels\.csv/,
    });
  });
});

describe('lesion targets', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fg-lesions-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('standardises log1p(count) per column with population statistics', () => {
    // log1p of 0, 1, 3 is 0, ln 2, 2 ln 2: mean ln 2, std ln 2 · √(2/3).
    const counts = [
      [0, 5, 0, 0, 0, 0, 0, 0],
      [1, 5, 0, 0, 0, 0, 0, 0],
      [3, 5, 0, 0, 0, 0, 0, 0],
    ];
    const s = fitStandardisation(counts);
    assert.deepEqual(s.columns, LESION_COLUMNS);
    assert.ok(Math.abs(s.mean[0]! - Math.LN2) < 1e-12);
    assert.ok(Math.abs(s.std[0]! - Math.LN2 * Math.sqrt(2 / 3)) < 1e-12);
    assert.ok(Math.abs(s.mean[1]! - Math.log(6)) < 1e-12);
    assert.equal(s.std[1], 1, 'a constant column keeps std 1 instead of dividing by zero');
    const t = standardisedTargets(counts, s);
    assert.equal(t.length, 3 * 8);
    const first = Array.from({ length: 3 }, (_, r) => t[r * 8]!);
    const z = Math.sqrt(3 / 2);
    first.forEach((v, r) => assert.ok(Math.abs(v - [-z, 0, z][r]!) < 1e-6, `row ${r}: ${v}`));
    for (let r = 0; r < 3; r++)
      for (let c = 1; c < 8; c++) assert.ok(Math.abs(t[r * 8 + c]!) < 1e-12, `row ${r} column ${c}: ${t[r * 8 + c]}`);
  });

  it('standardises validation images with the training statistics', async () => {
    const data = join(dir, 'data');
    await mkdir(data);
    await writeFile(
      join(data, 'lesions.csv'),
      [
        HEADER,
        row('1_left', 1, [0, 0, 0, 0, 0, 0, 0, 0]),
        row('1_right', 1, [2, 0, 0, 0, 0, 0, 0, 0]),
        row('2_left', 4, [8, 9, 9, 9, 9, 9, 9, 9]),
      ].join('\n'),
    );
    const targets = await lesionTargets(
      data,
      [
        { image: '1_right', level: 1 },
        { image: '1_left', level: 1 },
      ],
      [{ image: '2_left', level: 4 }],
    );
    // Training column 0: log1p 0 and log1p 2 → mean ln3/2, std ln3/2.
    const half = Math.log(3) / 2;
    assert.ok(Math.abs(targets.standardisation.mean[0]! - half) < 1e-12);
    assert.deepEqual(Array.from(targets.train.subarray(0, 1)), [1]);
    assert.deepEqual(Array.from(targets.train.subarray(8, 9)), [-1]);
    assert.equal(targets.validation.length, 8);
    assert.ok(Math.abs(targets.validation[0]! - (Math.log(9) - half) / half) < 1e-6);
  });

  it('explains a missing lesions.csv (real EyePACS data has none)', async () => {
    await assert.rejects(
      readLesionsCsv(join(dir, 'kaggle')),
      /kaggle\/lesions\.csv: not found: the auxiliary lesion loss needs the per-image lesion counts/,
    );
  });
});
