import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { DataError } from '../../../src/pipeline/data/data-error.js';
import { decodeImageFile, loadKaggleDataset, parseImageId, preprocessRecord } from '../../../src/pipeline/data/kaggle-loader.js';
import { parseLabelsCsv } from '../../../src/pipeline/data/labels-csv.js';
import { generateFundus } from '../../../src/pipeline/data/synthetic/generate.js';
import { INPUT_SIZE } from '../../../src/shared/model-contract.js';
import { tempDir } from './support/fixtures.js';

const tinyJpeg = (): Promise<Buffer> => sharp({ create: { width: 8, height: 8, channels: 3, background: '#a04020' } }).jpeg().toBuffer();

async function datasetDir(t: Parameters<typeof tempDir>[0], csv: string, images: readonly string[]): Promise<string> {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'trainLabels.csv'), csv);
  const bytes = await tinyJpeg();
  for (const name of images) await writeFile(join(dir, name), bytes);
  return dir;
}

describe('parseLabelsCsv', () => {
  it('tolerates a BOM, CRLF, header case, spaces, blank lines, extra columns and an extension on the id', () => {
    const text = '\uFEFF Image , LEVEL ,note\r\n10_left, 0 ,x\r\n\r\n  10_right ,2,\r\n"13_left.jpeg",4,y\r\n';
    assert.deepEqual(parseLabelsCsv(text, 'labels.csv'), [
      { image: '10_left', level: 0, line: 2 },
      { image: '10_right', level: 2, line: 4 },
      { image: '13_left', level: 4, line: 5 },
    ]);
  });

  it('names the file and line of every problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /^l\.csv: file is empty/],
      ['name,grade\n1_left,0\n', /^l\.csv:1: expected a header with columns "image" and "level"/],
      ['image,level\n', /^l\.csv: no label rows/],
      ['image,level\n1_left,0\n1_right\n', /^l\.csv:3: malformed row "1_right"/],
      ['image,level\n1_left,0,9\n', /^l\.csv:2: malformed row/],
      ['image,level\n1_left,7\n', /^l\.csv:2: unknown level "7" for image "1_left"/],
      ['image,level\n1_left,-1\n', /^l\.csv:2: unknown level "-1"/],
      ['image,level\n1_left,2.5\n', /^l\.csv:2: unknown level "2\.5"/],
      ['image,level\n1_left,\n', /^l\.csv:2: unknown level ""/],
      ['image,level\n,1\n', /^l\.csv:2: empty image id/],
      ['image,level\n1_left,0\n2_left,1\n1_left,0\n', /^l\.csv:4: duplicate image "1_left" \(first listed on line 2\)/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseLabelsCsv(text, 'l.csv'), (error: unknown) => error instanceof DataError && message.test(error.message), JSON.stringify(text));
    }
  });
});

describe('loadKaggleDataset', () => {
  it('returns records with patient and eye, finding .jpeg, .jpg, .png and upper-case extensions', async (t) => {
    const dir = await datasetDir(t, 'image,level\n10_left,0\n10_right,1\n11_left,3\nscan7,2\n', ['10_left.jpeg', '10_right.jpg', '11_left.PNG', 'scan7.png']);
    const records = await loadKaggleDataset(dir);
    assert.deepEqual(records, [
      { image: '10_left', level: 0, patientId: '10', eye: 'left', path: join(dir, '10_left.jpeg') },
      { image: '10_right', level: 1, patientId: '10', eye: 'right', path: join(dir, '10_right.jpg') },
      { image: '11_left', level: 3, patientId: '11', eye: 'left', path: join(dir, '11_left.PNG') },
      { image: 'scan7', level: 2, patientId: 'scan7', eye: null, path: join(dir, 'scan7.png') },
    ]);
  });

  it('looks in train/ as Kaggle unpacks it', async (t) => {
    const dir = await datasetDir(t, 'image,level\n3_right,2\n', []);
    await mkdir(join(dir, 'train'));
    await writeFile(join(dir, 'train', '3_right.jpeg'), await tinyJpeg());
    assert.equal((await loadKaggleDataset(dir))[0]!.path, join(dir, 'train', '3_right.jpeg'));
  });

  it('reports a missing labels file and a missing image by file and line', async (t) => {
    const empty = await tempDir(t);
    await assert.rejects(loadKaggleDataset(empty), (e: unknown) => e instanceof DataError && e.message === `${join(empty, 'trainLabels.csv')}: labels file not found (expected a CSV with columns image,level)`);
    const dir = await datasetDir(t, 'image,level\n1_left,0\n1_right,0\n', ['1_left.jpeg']);
    await assert.rejects(loadKaggleDataset(dir), (e: unknown) => e instanceof DataError && e.message.startsWith(`${join(dir, 'trainLabels.csv')}:3: image "1_right" not found`));
  });
});

describe('decodeImageFile', () => {
  it('applies EXIF orientation like a browser does', async (t) => {
    const dir = await tempDir(t);
    // 40x20: left half red, right half blue, stored with orientation 6 ("rotate 90° clockwise to display").
    const pixels = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) pixels.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
    const path = join(dir, 'rotated.jpeg');
    await sharp(pixels, { raw: { width: 40, height: 20, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(path);
    assert.equal((await sharp(path).metadata()).orientation, 6);
    const image = await decodeImageFile(path);
    assert.deepEqual([image.width, image.height, image.channels], [20, 40, 3]);
    const at = (x: number, y: number): number[] => [...image.data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3)];
    // Turning clockwise moves the left (red) half to the top.
    assert.ok(at(10, 5)[0]! > 200 && at(10, 5)[2]! < 60, `top ${at(10, 5).join(',')}`);
    assert.ok(at(10, 35)[2]! > 200 && at(10, 35)[0]! < 60, `bottom ${at(10, 35).join(',')}`);
  });

  it('expands a grayscale JPEG to three equal channels', async (t) => {
    const path = join(await tempDir(t), 'gray.jpeg');
    await sharp({ create: { width: 16, height: 12, channels: 3, background: '#707070' } }).toColourspace('b-w').jpeg().toFile(path);
    assert.equal((await sharp(path).metadata()).channels, 1);
    const image = await decodeImageFile(path);
    assert.equal(image.channels, 3);
    assert.equal(image.data.length, 16 * 12 * 3);
    for (let i = 0; i < image.data.length; i += 3) assert.ok(image.data[i] === image.data[i + 1] && image.data[i] === image.data[i + 2]);
  });

  it('names unreadable and truncated files', async (t) => {
    const dir = await tempDir(t);
    const garbage = join(dir, 'garbage.jpeg');
    await writeFile(garbage, 'this is not an image');
    await assert.rejects(decodeImageFile(garbage), (e: unknown) => e instanceof DataError && e.message.startsWith(`${garbage}: cannot decode image`));
    const truncated = join(dir, 'truncated.jpeg');
    const full = (await generateFundus({ seed: 1, grade: 0, eye: 'left', size: 128, format: 'jpeg' })).bytes;
    await writeFile(truncated, full.subarray(0, full.length >> 1));
    await assert.rejects(decodeImageFile(truncated), (e: unknown) => e instanceof DataError && e.message.startsWith(`${truncated}: cannot decode image`));
    await assert.rejects(decodeImageFile(join(dir, 'absent.jpeg')), /absent\.jpeg: cannot decode image/);
  });
});

describe('preprocessRecord', () => {
  it('decodes a fundus photo to the model input with its field of view', async (t) => {
    const path = join(await tempDir(t), '7_left.jpeg');
    await writeFile(path, (await generateFundus({ seed: 7, grade: 2, eye: 'left', size: 256, format: 'jpeg' })).bytes);
    const out = await preprocessRecord({ path });
    assert.equal(out.fov.found, true);
    assert.equal(out.rgb.data.length, INPUT_SIZE * INPUT_SIZE * 3);
  });
});

describe('parseImageId', () => {
  it('splits Kaggle ids into patient and eye', () => {
    assert.deepEqual(parseImageId('44349_right'), { patientId: '44349', eye: 'right' });
    assert.deepEqual(parseImageId('a_b_LEFT'), { patientId: 'a_b', eye: 'left' });
    assert.deepEqual(parseImageId('lonely'), { patientId: 'lonely', eye: null });
  });
});
