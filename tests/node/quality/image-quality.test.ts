import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { EXPECTED_REASONS } from '../../../src/pipeline/quality/calibration.js';
import { degradePhoto, type DegradationKind } from '../../../src/pipeline/quality/degrade.js';
import { decodePhoto } from '../../../src/pipeline/quality/photos.js';
import { detectFieldOfView, type FieldOfView } from '../../../src/shared/fov.js';
import {
  ANALYSIS_SIZE,
  assessImageQuality,
  judgeQuality,
  QUALITY_THRESHOLDS,
  type ImageQuality,
  type QualityReason,
} from '../../../src/shared/image-quality.js';
import type { PixelImage } from '../../../src/shared/pixels.js';
import { encodeJpeg, flatImage, greyscale, syntheticPhoto, withAlpha } from './support/fixtures.js';

const reasons = (q: ImageQuality): QualityReason[] => q.issues.map((i) => i.reason);
const message = (q: ImageQuality, reason: QualityReason): string => {
  const found = q.issues.find((i) => i.reason === reason);
  assert.ok(found, `expected ${reason}, got ${reasons(q).join(', ') || 'gradable'}`);
  return found.message;
};

describe('assessImageQuality on a synthetic fundus and degraded copies of it', () => {
  let photo: PixelImage;
  let fov: FieldOfView;
  /** The photo as a camera file: JPEG at quality 92, decoded again. */
  let camera: PixelImage;

  before(async () => {
    photo = syntheticPhoto();
    fov = detectFieldOfView(photo);
    camera = (await decodePhoto(await encodeJpeg(photo))).image;
  });

  /** A degraded copy made by the same code as `npm run degrade-photos`, decoded as the calibration does. */
  async function degraded(kind: DegradationKind, index = 0): Promise<ImageQuality> {
    const bytes = await degradePhoto(kind, { image: photo, fov, index });
    const { image } = await decodePhoto(bytes);
    return assessImageQuality(image);
  }

  it('passes the sharp original, raw and as a camera JPEG, with every measure inside its limit', () => {
    for (const image of [photo, camera]) {
      const q = assessImageQuality(image);
      assert.equal(q.verdict, 'gradable', q.issues.map((i) => i.message).join('; '));
      assert.deepEqual(q.issues, []);
      const m = q.measures;
      assert.equal(m.fovFound, true);
      assert.ok(m.fovDiameterPx >= ANALYSIS_SIZE, `retina ${m.fovDiameterPx} px across`);
      assert.ok(m.focus !== null && m.focus >= QUALITY_THRESHOLDS.minFocus, `focus ${m.focus}`);
      assert.ok(m.darkFraction !== null && m.darkFraction <= QUALITY_THRESHOLDS.maxDarkFraction);
      assert.ok(m.brightFraction !== null && m.brightFraction <= QUALITY_THRESHOLDS.maxBrightFraction);
      assert.ok(m.illuminationRatio !== null && m.illuminationRatio >= QUALITY_THRESHOLDS.minIlluminationRatio);
      assert.ok(
        m.blockiness !== null && m.blockiness <= QUALITY_THRESHOLDS.maxBlockiness,
        `blockiness ${m.blockiness}`,
      );
      assert.ok(m.medianLuma !== null && m.medianLuma > 40 && m.medianLuma < 200, `median luma ${m.medianLuma}`);
    }
  });

  it('gives the same verdict and measures for RGBA pixels (the worker decodes to RGBA)', () => {
    const rgb = assessImageQuality(photo);
    const rgba = assessImageQuality(withAlpha(photo));
    assert.deepEqual(rgba.measures, rgb.measures);
    assert.equal(rgba.verdict, rgb.verdict);
  });

  it('uses the field of view it is given instead of finding one', () => {
    const q = assessImageQuality(photo, { fov });
    assert.equal(q.fov, fov);
    assert.deepEqual(q.measures, assessImageQuality(photo).measures);
  });

  it('catches a blurred copy as too blurred, with the measured focus and the limit in the message', async () => {
    for (const kind of ['blur', 'blur-mild'] as const) {
      const q = await degraded(kind);
      assert.equal(q.verdict, 'ungradable', kind);
      assert.deepEqual(reasons(q), ['blurred'], kind);
      const focus = q.measures.focus!;
      assert.ok(focus < QUALITY_THRESHOLDS.minFocus, `${kind}: focus ${focus}`);
      assert.equal(
        message(q, 'blurred'),
        `Ungradable: too blurred (focus ${Math.round(focus)}, needs ≥ ${QUALITY_THRESHOLDS.minFocus}) — retake the photo`,
      );
      const issue = q.issues[0]!;
      assert.equal(issue.value, focus);
      assert.equal(issue.limit, QUALITY_THRESHOLDS.minFocus);
    }
  });

  it('catches a darkened copy as too dark and a brightened one as too bright, with the shares measured', async () => {
    const dark = await degraded('under-exposed');
    assert.deepEqual(reasons(dark), ['too-dark']);
    const darkShare = Math.round(dark.measures.darkFraction! * 100);
    assert.ok(darkShare > QUALITY_THRESHOLDS.maxDarkFraction * 100);
    assert.match(
      message(dark, 'too-dark'),
      new RegExp(`^Ungradable: too dark \\(${darkShare} % of the retina near black, at most \\d+ %\\)`),
    );

    assert.ok(Math.abs(dark.measures.medianLuma! - 15) <= 4, `median luma ${dark.measures.medianLuma}`);

    const bright = await degraded('over-exposed');
    assert.ok(Math.abs(bright.measures.medianLuma! - 225) <= 6, `median luma ${bright.measures.medianLuma}`);
    assert.deepEqual(reasons(bright), ['too-bright']);
    const brightShare = Math.round(bright.measures.brightFraction! * 100);
    assert.match(
      message(bright, 'too-bright'),
      new RegExp(`\\(${brightShare} % of the retina washed out, at most \\d+ %\\)`),
    );
    // Focus is relative to brightness: exposure alone does not make a photo "blurred".
    assert.ok(!reasons(dark).includes('blurred') && !reasons(bright).includes('blurred'));
  });

  it('catches a half-covered field from any side, and a deep shadow across it', async () => {
    for (let index = 0; index < 4; index++) {
      for (const kind of ['half-covered', 'uneven-illumination'] as const) {
        const q = await degraded(kind, index);
        assert.equal(q.verdict, 'ungradable', `${kind} ${index}`);
        assert.ok(
          reasons(q).some((r) => EXPECTED_REASONS[kind].includes(r)),
          `${kind} ${index}: ${reasons(q).join(', ')}`,
        );
      }
    }
  });

  it('catches a dark centre (a shadow inside the field) as unevenly lit, with the ratio measured', () => {
    const shaded = new Uint8Array(photo.data);
    const { cx, cy, radius } = fov.circle;
    for (let y = 0; y < photo.height; y++) {
      for (let x = 0; x < photo.width; x++) {
        if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) >= 0.45 * radius) continue;
        for (let p = (y * photo.width + x) * 3, c = 0; c < 3; c++) shaded[p + c] = Math.round(shaded[p + c]! * 0.2);
      }
    }
    const q = assessImageQuality({ ...photo, data: shaded });
    assert.deepEqual(reasons(q), ['uneven-illumination']);
    const ratio = Math.round(q.measures.illuminationRatio! * 100);
    assert.equal(
      message(q, 'uneven-illumination'),
      `Ungradable: unevenly lit (darkest part at ${ratio} % of the retina's median brightness, needs ≥ ${Math.round(QUALITY_THRESHOLDS.minIlluminationRatio * 100)} %) — retake the photo`,
    );
  });

  it('catches a half-covered field of a hand-made fixture: black over the left half of the disc', () => {
    const covered = new Uint8Array(photo.data);
    for (let y = 0; y < photo.height; y++)
      covered.fill(0, y * photo.width * 3, (y * photo.width + Math.round(fov.circle.cx)) * 3);
    const q = assessImageQuality({ ...photo, data: covered });
    assert.equal(q.verdict, 'ungradable');
    assert.ok(
      reasons(q).some((r) => EXPECTED_REASONS['half-covered'].includes(r)),
      reasons(q).join(', '),
    );
  });

  it('catches a retina too small in the frame', async () => {
    const small = await degraded('small-field');
    assert.ok(reasons(small).includes('field-too-small'), reasons(small).join(', '));
    const share = Math.round(small.measures.fovFrameFraction * 100);
    assert.match(
      message(small, 'field-too-small'),
      new RegExp(`\\(radius ${share} % of half the frame, needs ≥ \\d+ %\\)`),
    );
  });

  it('measures JPEG blocks: many times the camera JPEG’s at quality 5, and in a shrunk photo at the decoder’s scale', async () => {
    const q5 = (await decodePhoto(await encodeJpeg(photo, 5))).image;
    const heavy = assessImageQuality(q5).measures.blockiness!;
    const usual = assessImageQuality(camera).measures.blockiness!;
    assert.ok(heavy > 4 * usual, `blockiness ${heavy} at quality 5, ${usual} at 92`);
    // The worker shrinks photos over 4096 px: blocks then lie 8 × scale pixels apart.
    const width = Math.round(q5.width * 0.8);
    const shrunk = (await decodePhoto(await encodeJpeg(q5, 100), width)).image;
    const scale = shrunk.width / q5.width;
    const told = assessImageQuality(shrunk, { decodeScale: scale }).measures.blockiness!;
    const untold = assessImageQuality(shrunk).measures.blockiness!;
    assert.ok(
      told > 4 * untold && told > 2 * usual,
      `blockiness ${told} at scale ${scale}, ${untold} at the wrong period`,
    );
    const judged = assessImageQuality(q5, { thresholds: { ...QUALITY_THRESHOLDS, maxBlockiness: heavy / 2 } });
    assert.match(
      message(judged, 'jpeg-artefacts'),
      new RegExp(
        `^Ungradable: too heavily compressed \\(JPEG blockiness ${heavy.toFixed(2)}, at most [\\d.]+\\) — use the camera's original photo or retake it$`,
      ),
    );
  });

  it('measures a grey photo (red-free or monochrome) like any other', () => {
    const q = assessImageQuality(greyscale(photo));
    assert.equal(q.measures.fovFound, true);
    assert.equal(q.verdict, 'gradable', q.issues.map((i) => i.message).join('; '));
  });

  it('respects thresholds passed in, and judges saved measures again the same way', () => {
    const strict = { ...QUALITY_THRESHOLDS, minFocus: 1e6 };
    const q = assessImageQuality(photo, { thresholds: strict });
    assert.deepEqual(reasons(q), ['blurred']);
    assert.deepEqual(judgeQuality(q.measures, strict), q.issues);
    assert.deepEqual(judgeQuality(q.measures), []);
  });
});

describe('assessImageQuality edge cases', () => {
  it('says no retina was found (and why) for a black frame, and measures nothing else', () => {
    const q = assessImageQuality(flatImage(400, 300, [0, 0, 0]));
    assert.equal(q.verdict, 'ungradable');
    assert.deepEqual(reasons(q), ['no-field-of-view']);
    assert.equal(
      q.issues[0]!.message,
      'Ungradable: no retina found (field of view: the photo is too dark) — retake the photo',
    );
    const m = q.measures;
    assert.equal(m.fovFound, false);
    assert.equal(m.fovVerdict, 'too-dark');
    for (const v of [m.focus, m.darkFraction, m.brightFraction, m.illuminationRatio, m.blockiness, m.medianLuma]) {
      assert.equal(v, null);
    }
  });

  it('refuses a grey card and a tiny image as having no retina', () => {
    assert.equal(assessImageQuality(flatImage(400, 300, [128, 128, 128])).measures.fovVerdict, 'uniform');
    const tiny = assessImageQuality(flatImage(32, 24, [200, 90, 40]));
    assert.deepEqual(reasons(tiny), ['no-field-of-view']);
    assert.equal(tiny.measures.fovVerdict, 'too-small');
    assert.match(tiny.issues[0]!.message, /the image is too small/);
  });

  it('says a small photo has too few pixels across the retina and does not call it blurred', () => {
    const q = assessImageQuality(syntheticPhoto(800));
    assert.equal(q.measures.fovFound, true);
    assert.equal(q.measures.focus, null);
    assert.ok(reasons(q).includes('low-resolution'));
    assert.ok(!reasons(q).includes('blurred'));
    const px = Math.round(q.measures.fovDiameterPx);
    assert.match(message(q, 'low-resolution'), new RegExp(`\\(${px} px across, needs ≥ ${ANALYSIS_SIZE}\\)`));
  });

  it('rejects a malformed image and a decode scale outside (0, 1]', () => {
    assert.throws(() => assessImageQuality({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }), RangeError);
    const photo = flatImage(100, 100, [0, 0, 0]);
    assert.throws(() => assessImageQuality(photo, { decodeScale: 0 }), /decodeScale/);
    assert.throws(() => assessImageQuality(photo, { decodeScale: 1.5 }), /decodeScale/);
  });
});
