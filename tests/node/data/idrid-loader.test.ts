import assert from 'node:assert/strict';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { DataError } from '../../../src/pipeline/data/data-error.js';
import { fromKaggleRecord, isMacularEdemaRisk } from '../../../src/pipeline/data/fundus-record.js';
import { isIdridHeader, parseIdridLabelsCsv, splitCsvLine } from '../../../src/pipeline/data/idrid-labels-csv.js';
import { loadIdridDataset } from '../../../src/pipeline/data/idrid-loader.js';
import { detectDatasetLayout, loadFundusDataset } from '../../../src/pipeline/data/load-dataset.js';
import { tempDir } from './support/fixtures.js';

const IDRID_TRAIN = '/work/shared/datasets/idrid-grading-train';
const HEADER = 'Image name,Retinopathy grade,Risk of macular edema ,,,,,,,,,';

let jpegBytes: Promise<Buffer> | undefined;
const tinyJpeg = (): Promise<Buffer> => (jpegBytes ??= sharp({ create: { width: 8, height: 8, channels: 3, background: '#a04020' } }).jpeg().toBuffer());

type Ctx = Parameters<typeof tempDir>[0];

/** An IDRiD-layout folder: labels.csv plus the named files under images/ (and `beside` next to labels.csv). */
async function idridDir(t: Ctx, csv: string, images: readonly string[], beside: readonly string[] = []): Promise<string> {
  const dir = await tempDir(t, 'fg-idrid-');
  await writeFile(join(dir, 'labels.csv'), csv);
  const bytes = await tinyJpeg();
  if (images.length > 0) await mkdir(join(dir, 'images'));
  for (const name of images) await writeFile(join(dir, 'images', name), bytes);
  for (const name of beside) await writeFile(join(dir, name), bytes);
  return dir;
}

const isDataError = (message: RegExp | string) => (e: unknown) =>
  e instanceof DataError && (typeof message === 'string' ? e.message === message : message.test(e.message));

describe('parseIdridLabelsCsv', () => {
  it('reads the file as published: trailing space in the header, trailing empty columns', () => {
    const text = `${HEADER}\nIDRiD_001,3,2,,,,,,,,,\nIDRiD_002,0,0,,,,,,,,,\nIDRiD_003,4,1,,,,,,,,,\n`;
    assert.deepEqual(parseIdridLabelsCsv(text, 'labels.csv'), [
      { image: 'IDRiD_001', level: 3, macularEdemaRisk: 2, line: 2 },
      { image: 'IDRiD_002', level: 0, macularEdemaRisk: 0, line: 3 },
      { image: 'IDRiD_003', level: 4, macularEdemaRisk: 1, line: 4 },
    ]);
  });

  it('tolerates a BOM, CRLF, header case and spaces, quotes, blank and comma-only lines, an extension on the id', () => {
    const text =
      '\uFEFF IMAGE  NAME ,"retinopathy grade", Risk of Macular Edema \r\n' +
      'IDRiD_001,1,0\r\n' +
      '\r\n' +
      ',,,,,\r\n' +
      '"IDRiD_002", 2 ,"1",,\r\n' +
      '  IDRiD_003.jpg ,4,2,"",\r\n' +
      '"a ""quoted"", id",0,0\r\n';
    assert.deepEqual(parseIdridLabelsCsv(text, 'labels.csv'), [
      { image: 'IDRiD_001', level: 1, macularEdemaRisk: 0, line: 2 },
      { image: 'IDRiD_002', level: 2, macularEdemaRisk: 1, line: 5 },
      { image: 'IDRiD_003', level: 4, macularEdemaRisk: 2, line: 6 },
      { image: 'a "quoted", id', level: 0, macularEdemaRisk: 0, line: 7 },
    ]);
  });

  it('names the file and line of every problem', () => {
    const h = 'Image name,Retinopathy grade,Risk of macular edema \n';
    const cases: Array<[string, RegExp]> = [
      ['', /^l\.csv: file is empty \(expected the IDRiD header/],
      ['\n\n', /^l\.csv: file is empty/],
      ['image,level\n1_left,0\n', /^l\.csv:1: expected the IDRiD header "Image name,Retinopathy grade,Risk of macular edema", got "image,level"/],
      ['\nImage name,Retinopathy grade\nIDRiD_001,1\n', /^l\.csv:2: expected the IDRiD header/],
      ['Image name,Retinopathy grade,Risk of macular edema,Notes\n', /^l\.csv:1: unexpected column 4 "Notes" in the header/],
      [h, /^l\.csv: no label rows after the header/],
      [h + ',,,\n', /^l\.csv: no label rows/],
      [`${h}IDRiD_001,1,0\nIDRiD_002,1\n`, /^l\.csv:3: malformed row "IDRiD_002,1": expected 3 columns/],
      [`${h}IDRiD_001\n`, /^l\.csv:2: malformed row "IDRiD_001": expected 3 columns .* got 1$/],
      [`${h}IDRiD_001,1,0,,x,\n`, /^l\.csv:2: unexpected value "x" in column 5 of row "IDRiD_001,1,0,,x,"/],
      [`${h}IDRiD_001,1,0,0\n`, /^l\.csv:2: unexpected value "0" in column 4/],
      [`${h}IDRiD_001,5,0\n`, /^l\.csv:2: unknown retinopathy grade "5" for image "IDRiD_001" \(expected an integer 0-4\)/],
      [`${h}IDRiD_001,-1,0\n`, /^l\.csv:2: unknown retinopathy grade "-1"/],
      [`${h}IDRiD_001,2.5,0\n`, /^l\.csv:2: unknown retinopathy grade "2\.5"/],
      [`${h}IDRiD_001,,0\n`, /^l\.csv:2: unknown retinopathy grade ""/],
      [`${h}IDRiD_001,2,3\n`, /^l\.csv:2: unknown risk of macular edema "3" for image "IDRiD_001" \(expected an integer 0-2\)/],
      [`${h}IDRiD_001,2,\n`, /^l\.csv:2: unknown risk of macular edema ""/],
      [`${h}IDRiD_001,2,yes\n`, /^l\.csv:2: unknown risk of macular edema "yes"/],
      [`${h}IDRiD_001,1,0\n,1,0\n`, /^l\.csv:3: empty image id/],
      [`${h}IDRiD_001,1,0\n"",1,0\n`, /^l\.csv:3: empty image id/],
      [`${h}IDRiD_001,1,0\nIDRiD_002,2,1\n\nIDRiD_001,1,0\n`, /^l\.csv:5: duplicate image "IDRiD_001" \(first listed on line 2\)/],
      [`${h}IDRiD_001,1,0\nIDRiD_001.jpg,1,0\n`, /^l\.csv:3: duplicate image "IDRiD_001"/],
      [`${h}"IDRiD_001,1,0\n`, /^l\.csv:2: malformed row ""IDRiD_001,1,0": unterminated quoted field in column 1/],
      [`${h}IDRiD_001,"1"x,0\n`, /^l\.csv:2: malformed row .*: unexpected text after the closing quote in column 2/],
      [`${h}IDR"iD_001,1,0\n`, /^l\.csv:2: malformed row .*: stray quote in column 1/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseIdridLabelsCsv(text, 'l.csv'), isDataError(message), JSON.stringify(text));
    }
  });

  it('recognises the IDRiD header however it is spaced, cased or padded', () => {
    assert.equal(isIdridHeader('Image name,Retinopathy grade,Risk of macular edema '), true);
    assert.equal(isIdridHeader(HEADER), true);
    assert.equal(isIdridHeader('\uFEFF"image name" , RETINOPATHY GRADE,risk  of macular edema'), true);
    assert.equal(isIdridHeader('image,level'), false);
    assert.equal(isIdridHeader('Image name,Retinopathy grade'), false);
    assert.equal(isIdridHeader('Retinopathy grade,Image name,Risk of macular edema'), false);
  });

  it('splits CSV lines with quotes', () => {
    assert.deepEqual(splitCsvLine(' a , "b,c" ,,"d""e"'), ['a', 'b,c', '', 'd"e']);
    assert.deepEqual(splitCsvLine(''), ['']);
    assert.deepEqual(splitCsvLine('a,'), ['a', '']);
    assert.equal(typeof splitCsvLine('"a'), 'string');
  });
});

describe('loadIdridDataset', () => {
  it('returns records with grade, edema risk, path, and each image as its own patient', async (t) => {
    const csv = `${HEADER}\nIDRiD_001,3,2,,,,,,,,,\nIDRiD_002,0,0,,,,,,,,,\nIDRiD_003,1,1,,,,,,,,,\nIDRiD_004,4,0,,,,,,,,,\n`;
    const dir = await idridDir(t, csv, ['IDRiD_001.jpg', 'IDRiD_002.JPG', 'IDRiD_003.jpeg', 'IDRiD_004.png']);
    assert.deepEqual(await loadIdridDataset(dir), [
      { image: 'IDRiD_001', level: 3, patientId: 'IDRiD_001', eye: null, path: join(dir, 'images', 'IDRiD_001.jpg'), macularEdemaRisk: 2 },
      { image: 'IDRiD_002', level: 0, patientId: 'IDRiD_002', eye: null, path: join(dir, 'images', 'IDRiD_002.JPG'), macularEdemaRisk: 0 },
      { image: 'IDRiD_003', level: 1, patientId: 'IDRiD_003', eye: null, path: join(dir, 'images', 'IDRiD_003.jpeg'), macularEdemaRisk: 1 },
      { image: 'IDRiD_004', level: 4, patientId: 'IDRiD_004', eye: null, path: join(dir, 'images', 'IDRiD_004.png'), macularEdemaRisk: 0 },
    ]);
  });

  it('prefers .jpg, and images/ over the folder itself, which is the fallback', async (t) => {
    const csv = `${HEADER}\nIDRiD_001,2,1\nIDRiD_002,2,1\nIDRiD_003,2,1\n`;
    const dir = await idridDir(t, csv, ['IDRiD_001.png', 'IDRiD_001.jpg', 'IDRiD_002.jpg'], ['IDRiD_002.jpg', 'IDRiD_003.jpg']);
    const paths = (await loadIdridDataset(dir)).map((r) => r.path);
    assert.deepEqual(paths, [join(dir, 'images', 'IDRiD_001.jpg'), join(dir, 'images', 'IDRiD_002.jpg'), join(dir, 'IDRiD_003.jpg')]);
  });

  it('works without an images/ folder', async (t) => {
    const dir = await idridDir(t, `${HEADER}\nIDRiD_007,1,0\n`, [], ['IDRiD_007.jpg']);
    assert.equal((await loadIdridDataset(dir))[0]!.path, join(dir, 'IDRiD_007.jpg'));
  });

  it('takes the labels file and image folders from options', async (t) => {
    const dir = await tempDir(t, 'fg-idrid-');
    await writeFile(join(dir, 'a.csv'), `${HEADER}\nx,2,2\n`);
    await mkdir(join(dir, 'pics'));
    await writeFile(join(dir, 'pics', 'x.jpg'), await tinyJpeg());
    const records = await loadIdridDataset(dir, { labelsPath: join(dir, 'a.csv'), imagesDirs: [join(dir, 'pics')] });
    assert.equal(records[0]!.path, join(dir, 'pics', 'x.jpg'));
  });

  it('reports a missing labels file, a bad row and a missing image by file and line', async (t) => {
    const empty = await tempDir(t, 'fg-idrid-');
    await assert.rejects(loadIdridDataset(empty), isDataError(`${join(empty, 'labels.csv')}: labels file not found (expected an IDRiD CSV with columns Image name,Retinopathy grade,Risk of macular edema)`));
    const bad = await idridDir(t, `${HEADER}\nIDRiD_001,1,0\nIDRiD_002,9,0\n`, ['IDRiD_001.jpg', 'IDRiD_002.jpg']);
    await assert.rejects(loadIdridDataset(bad), isDataError(new RegExp(`^${escape(join(bad, 'labels.csv'))}:3: unknown retinopathy grade "9"`)));
    const dir = await idridDir(t, `${HEADER}\nIDRiD_001,1,0\n\nIDRiD_002,2,1\n`, ['IDRiD_001.jpg']);
    await assert.rejects(
      loadIdridDataset(dir),
      isDataError(`${join(dir, 'labels.csv')}:4: image "IDRiD_002" not found: no IDRiD_002.jpg, IDRiD_002.jpeg, IDRiD_002.png in ${join(dir, 'images')}, ${dir}`),
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('detectDatasetLayout and loadFundusDataset', () => {
  it('detects and loads an IDRiD folder', async (t) => {
    const dir = await idridDir(t, `\uFEFF${HEADER}\r\nIDRiD_001,2,1,,,\r\n`, ['IDRiD_001.jpg']);
    assert.equal(await detectDatasetLayout(dir), 'idrid');
    assert.deepEqual(await loadFundusDataset(dir), [
      { image: 'IDRiD_001', level: 2, patientId: 'IDRiD_001', eye: null, path: join(dir, 'images', 'IDRiD_001.jpg'), macularEdemaRisk: 1 },
    ]);
  });

  it('detects and loads a Kaggle folder, with no edema risk', async (t) => {
    const dir = await tempDir(t, 'fg-idrid-');
    await writeFile(join(dir, 'trainLabels.csv'), 'image,level\n10_left,0\n10_right,3\n');
    await writeFile(join(dir, '10_left.jpeg'), await tinyJpeg());
    await writeFile(join(dir, '10_right.jpeg'), await tinyJpeg());
    assert.equal(await detectDatasetLayout(dir), 'kaggle');
    assert.deepEqual(await loadFundusDataset(dir), [
      { image: '10_left', level: 0, patientId: '10', eye: 'left', path: join(dir, '10_left.jpeg'), macularEdemaRisk: null },
      { image: '10_right', level: 3, patientId: '10', eye: 'right', path: join(dir, '10_right.jpeg'), macularEdemaRisk: null },
    ]);
    // A labels.csv that is not IDRiD's does not get in the way of trainLabels.csv.
    await writeFile(join(dir, 'labels.csv'), 'something,else\n');
    assert.equal(await detectDatasetLayout(dir), 'kaggle');
  });

  it('passes errors of the detected layout through with file and line', async (t) => {
    const dir = await tempDir(t, 'fg-idrid-');
    await writeFile(join(dir, 'trainLabels.csv'), 'image,level\n1_left,0\n1_left,1\n');
    await assert.rejects(loadFundusDataset(dir), isDataError(`${join(dir, 'trainLabels.csv')}:3: duplicate image "1_left" (first listed on line 2)`));
  });

  it('says what it expected when the folder is neither layout, or both', async (t) => {
    const expected = /expected either an IDRiD folder \(labels\.csv with header "Image name,Retinopathy grade,Risk of macular edema" and images\/\) or a Kaggle EyePACS folder \(trainLabels\.csv with columns image,level and the images\)$/;
    const empty = await tempDir(t, 'fg-idrid-');
    await assert.rejects(detectDatasetLayout(empty), (e: unknown) => isDataError(new RegExp(`^${escape(empty)}: no labels file found \\(neither labels\\.csv nor trainLabels\\.csv\\); `))(e) && expected.test((e as Error).message));
    await assert.rejects(loadFundusDataset(empty), isDataError(/no labels file found/));

    const missing = join(empty, 'nope');
    await assert.rejects(detectDatasetLayout(missing), isDataError(new RegExp(`^${escape(missing)}: not a directory; expected either`)));

    const other = await tempDir(t, 'fg-idrid-');
    await writeFile(join(other, 'labels.csv'), '\nimage,grade\n1,2\n');
    await assert.rejects(detectDatasetLayout(other), (e: unknown) => isDataError(new RegExp(`^${escape(join(other, 'labels.csv'))}:2: header "image,grade" is not IDRiD's; `))(e) && expected.test((e as Error).message));
    await writeFile(join(other, 'labels.csv'), '');
    await assert.rejects(detectDatasetLayout(other), isDataError(new RegExp(`^${escape(join(other, 'labels.csv'))}: file is empty; expected either`)));

    const both = await idridDir(t, `${HEADER}\nIDRiD_001,2,1\n`, ['IDRiD_001.jpg']);
    await writeFile(join(both, 'trainLabels.csv'), 'image,level\nIDRiD_001,2\n');
    await assert.rejects(detectDatasetLayout(both), isDataError(new RegExp(`^${escape(both)}: ambiguous dataset folder: both labels\\.csv \\(IDRiD\\) and trainLabels\\.csv \\(Kaggle\\) are present`)));
  });

  it('maps Kaggle records without touching them', () => {
    const record = { image: '3_left', level: 1 as const, patientId: '3', eye: 'left' as const, path: '/x/3_left.jpeg' };
    assert.deepEqual(fromKaggleRecord(record), { ...record, macularEdemaRisk: null });
    assert.deepEqual([0, 1, 2, 3, -1, 1.5, '1', null].map(isMacularEdemaRisk), [true, true, true, false, false, false, false, false]);
  });
});

describe('the IDRiD training set in /work/shared', () => {
  it('loads all 413 photographs with the published grade counts', async (t) => {
    try {
      await access(join(IDRID_TRAIN, 'labels.csv'));
    } catch {
      t.skip(`${IDRID_TRAIN} is not on this machine`);
      return;
    }
    assert.equal(await detectDatasetLayout(IDRID_TRAIN), 'idrid');
    const records = await loadFundusDataset(IDRID_TRAIN);
    assert.equal(records.length, 413);
    const counts = [0, 0, 0, 0, 0];
    for (const r of records) counts[r.level]!++;
    assert.deepEqual(counts, [134, 20, 136, 74, 49]);
    assert.ok(records.every((r) => isMacularEdemaRisk(r.macularEdemaRisk) && r.patientId === r.image && r.eye === null));
    assert.equal(new Set(records.map((r) => r.patientId)).size, 413);
    assert.deepEqual(records[0], { image: 'IDRiD_001', level: 3, patientId: 'IDRiD_001', eye: null, path: join(IDRID_TRAIN, 'images', 'IDRiD_001.jpg'), macularEdemaRisk: 2 });
    assert.equal(records[412]!.path, join(IDRID_TRAIN, 'images', 'IDRiD_413.jpg'));
  });
});
