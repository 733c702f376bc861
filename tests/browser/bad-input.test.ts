import { expect } from '@open-wc/testing';
import type { InspectResult, ModelPair } from '../../src/shared/protocol.js';
import {
  drawnImage,
  fixture,
  gradeParams,
  initWorker,
  inspectParams,
  rejectionOf,
  redDisc,
  tinyModels,
  type TestClient,
} from './worker-client.js';

describe('photos the worker must refuse or handle', () => {
  let client: TestClient;
  let models: ModelPair;
  const inspect = (image: ArrayBuffer) => client.request('inspect', inspectParams(image, 256), { transfer: [image] });
  const grade = (image: ArrayBuffer) => client.request('grade', gradeParams(image, models), { transfer: [image] });

  before(async () => {
    models = await tinyModels('fp16');
    ({ client } = await initWorker('wasm', 'wasm'));
  });
  after(() => client.terminate());

  it('says a file that is not an image is not a photo it can read', async () => {
    const error = await rejectionOf(grade(new TextEncoder().encode('patient notes, not a photo').buffer));
    expect(error.code).to.equal('bad-image');
    expect(error.message).to.contain('JPEG, PNG or WebP');
  });

  it('says a truncated JPEG is damaged', async () => {
    const bytes = await fixture('fundus.jpeg');
    const error = await rejectionOf(grade(bytes.slice(0, Math.floor(bytes.byteLength * 0.6))));
    expect(error.code).to.equal('bad-image');
    expect(error.message).to.match(/JPEG file is damaged or incomplete/);
  });

  it('refuses an 8×8 image with its size in the message', async () => {
    const error = await rejectionOf(grade(await drawnImage(8, 8, redDisc(8, 8))));
    expect(error.code).to.equal('bad-image');
    expect(error.message).to.contain('8×8');
  });

  it('refuses a picture with more pixels than the cap before decoding it', async () => {
    // A PNG signature and IHDR claiming 20000×20000; there is no image data to decode.
    const header = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x4e, 0x20, 0, 0, 0x4e,
      0x20, 8, 2, 0, 0, 0,
    ]);
    const error = await rejectionOf(grade(header.buffer));
    expect(error.code).to.equal('bad-image');
    expect(error.message).to.contain('megapixels');
  });

  it('answers a black photo with no-retina and the verdict, and nothing is graded', async () => {
    const black = await drawnImage(512, 384, (c) => c.fillRect(0, 0, 512, 384), 'image/jpeg');
    const error = await rejectionOf(grade(black));
    expect(error.code).to.equal('no-retina');
    expect(error.verdict).to.equal('too-dark');
    expect(error.message).to.contain('too dark');
    const memory = await client.request('memory', {});
    expect(memory.ort.liveTensors).to.equal(0);
  });

  it('decodes an EXIF-rotated JPEG upright', async () => {
    const result: InspectResult = await inspect(await fixture('fundus-exif-orientation-6.jpeg'));
    expect(result.image).to.deep.include({ sourceWidth: 315, sourceHeight: 420, width: 420, height: 315 });
    // The blue marker the fixture script put in the upright picture's top-left corner.
    const rgba = new Uint8ClampedArray(result.preview.data);
    const [r, g, b] = [
      rgba[4 * (2 * result.preview.width + 2)]!,
      rgba[4 * (2 * result.preview.width + 2) + 1]!,
      rgba[4 * (2 * result.preview.width + 2) + 2]!,
    ];
    expect(b, `top-left pixel ${r},${g},${b}`).to.be.greaterThan(150);
    expect(r).to.be.lessThan(80);
    expect(result.fov.found).to.equal(true);
  });

  it('grades a grayscale JPEG', async () => {
    const result = await grade(await fixture('fundus-grayscale.jpeg'));
    expect(result.fov.found).to.equal(true);
    expect(result.variants.ort.probabilities).to.have.length(5);
  });

  it('grades PNG and WebP as it grades JPEG', async () => {
    const jpeg = await grade(await fixture('fundus.jpeg'));
    const bitmap = await createImageBitmap(new Blob([await fixture('fundus.jpeg')]));
    const reencode = (type: string) => drawnImage(bitmap.width, bitmap.height, (c) => c.drawImage(bitmap, 0, 0), type);
    const png = await grade(await reencode('image/png'));
    expect(png.image.format).to.equal('png');
    // Lossless: the same pixels, so the same numbers.
    expect(png.variants.tfjs.probabilities).to.deep.equal(jpeg.variants.tfjs.probabilities);
    const webp = await grade(await reencode('image/webp'));
    expect(webp.image.format).to.equal('webp');
    expect(webp.fov.found).to.equal(true);
  });

  it('downscales a 10,000-pixel-wide PNG off the main thread before analysing it', async () => {
    const png = await drawnImage(10000, 2000, redDisc(10000, 2000));
    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 10);
    try {
      const result = await inspect(png);
      expect(result.image).to.deep.include({
        format: 'png',
        sourceWidth: 10000,
        sourceHeight: 2000,
        width: 4096,
        height: 819,
      });
      expect(result.fov.found).to.equal(true);
    } finally {
      clearInterval(ticker);
    }
    expect(longestGap, 'the page kept running while the worker decoded').to.be.lessThan(500);
  });
});
