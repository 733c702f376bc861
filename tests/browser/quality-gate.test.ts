// The quality gate as the worker applies it: `inspect` judges the photo in the retina it found and says
// why a photo is ungradable with the measured value; `grade` returns that verdict (kept with the photo,
// or judged the same way from the bytes) and grades anyway: the screener decides.
import { expect } from '@open-wc/testing';
import type { QualityIssue, QualityReason } from '../../src/shared/image-quality.js';
import { QUALITY_THRESHOLDS } from '../../src/shared/image-quality.js';
import type { InspectResult, ModelPair, QualityReport } from '../../src/shared/protocol.js';
import {
  drawnImage,
  fixture,
  gradeParams,
  initWorker,
  inspectParams,
  keptGradeParams,
  tinyModels,
  type TestClient,
} from './worker-client.js';

/** The synthetic fundus wide enough for the gate (about 1,140 px across the retina), and sharp. */
const SHARP_PHOTO = 'fundus-1400.jpeg';

/**
 * A copy of the sharp photo drawn through `change` and saved as a JPEG at the browser's default quality
 * (0.92), as a camera would save a bad shot.
 */
async function degraded(change: (context: OffscreenCanvasRenderingContext2D, photo: ImageBitmap) => void) {
  const photo = await createImageBitmap(new Blob([await fixture(SHARP_PHOTO)]));
  const { width, height } = photo;
  try {
    return await drawnImage(
      width,
      height,
      (context) => {
        context.fillStyle = '#000';
        context.fillRect(0, 0, width, height);
        change(context, photo);
      },
      'image/jpeg',
    );
  } finally {
    photo.close();
  }
}

const filtered = (filter: string) =>
  degraded((context, photo) => {
    context.filter = filter;
    context.drawImage(photo, 0, 0);
  });

const percent = (share: number) => `${Math.round(share * 100)} %`;

/** The one issue of `reason`, which must be the photo's only one. */
function onlyIssue(quality: QualityReport, reason: QualityReason): QualityIssue {
  expect(quality.verdict).to.equal('ungradable');
  expect(quality.issues.map((i) => i.reason)).to.deep.equal([reason]);
  return quality.issues[0]!;
}

describe('the quality gate in the worker: inspect judges the photo, grade returns the verdict', () => {
  let client: TestClient;
  let models: ModelPair;
  const inspect = (image: ArrayBuffer): Promise<InspectResult> =>
    client.request('inspect', inspectParams(image), { transfer: [image] });

  before(async () => {
    models = await tinyModels('fp16');
    ({ client } = await initWorker('wasm', 'wasm'));
  });
  after(() => client.terminate());

  it('judges the sharp photo gradable, every measure inside its limit, in the retina the preview shows', async () => {
    const { fov, quality, image } = await inspect(await fixture(SHARP_PHOTO));
    expect(fov.found).to.equal(true);
    expect(quality.verdict, quality.issues.map((i) => i.message).join('; ')).to.equal('gradable');
    expect(quality.issues).to.deep.equal([]);
    // Without the gate's field of view: the FovReport carries the circle.
    expect(quality).to.have.all.keys('verdict', 'issues', 'measures');
    const m = quality.measures;
    expect([m.fovFound, m.fovVerdict]).to.deep.equal([true, fov.verdict]);
    expect(m.fovDiameterPx).to.be.at.least(QUALITY_THRESHOLDS.minFovDiameterPx);
    expect(m.focus).to.be.at.least(QUALITY_THRESHOLDS.minFocus);
    expect(m.darkFraction).to.be.at.most(QUALITY_THRESHOLDS.maxDarkFraction);
    expect(m.brightFraction).to.be.at.most(QUALITY_THRESHOLDS.maxBrightFraction);
    expect(m.illuminationRatio).to.be.at.least(QUALITY_THRESHOLDS.minIlluminationRatio);
    expect(m.blockiness).to.be.at.most(QUALITY_THRESHOLDS.maxBlockiness);
    // The field of view the gate measured in is the one the preview's circle shows: the same diameter.
    expect(m.fovDiameterPx / image.width).to.be.closeTo(2 * fov.circle.radius, 1e-9);
  });

  it('calls a blurred copy too blurred, with its focus and the limit in the message', async () => {
    const { fov, quality } = await inspect(await filtered('blur(6px)'));
    expect(fov.found).to.equal(true);
    const issue = onlyIssue(quality, 'blurred');
    expect(issue.limit).to.equal(QUALITY_THRESHOLDS.minFocus);
    expect(issue.value).to.equal(quality.measures.focus);
    expect(issue.value).to.be.below(QUALITY_THRESHOLDS.minFocus);
    expect(issue.message).to.equal(
      `Ungradable: too blurred (focus ${Math.round(issue.value!)}, needs ≥ ${QUALITY_THRESHOLDS.minFocus}) — retake the photo`,
    );
  });

  it('calls a darkened copy too dark, with the near-black share in the message', async () => {
    const { fov, quality } = await inspect(await filtered('brightness(0.14)'));
    expect(fov.found).to.equal(true);
    const issue = onlyIssue(quality, 'too-dark');
    expect(issue.value).to.equal(quality.measures.darkFraction);
    expect(issue.value).to.be.above(QUALITY_THRESHOLDS.maxDarkFraction);
    expect(issue.message).to.contain(
      `(${percent(issue.value!)} of the retina near black, at most ${percent(QUALITY_THRESHOLDS.maxDarkFraction)})`,
    );
    expect(issue.message).to.match(/^Ungradable: too dark .* — retake the photo$/);
  });

  it('calls an over-exposed copy too bright, with the washed-out share in the message', async () => {
    const { fov, quality } = await inspect(await filtered('brightness(3)'));
    expect(fov.found).to.equal(true);
    const issue = onlyIssue(quality, 'too-bright');
    expect(issue.value).to.equal(quality.measures.brightFraction);
    expect(issue.value).to.be.above(QUALITY_THRESHOLDS.maxBrightFraction);
    expect(issue.message).to.contain(
      `(${percent(issue.value!)} of the retina washed out, at most ${percent(QUALITY_THRESHOLDS.maxBrightFraction)})`,
    );
  });

  it('finds no retina in a half-covered copy: the gate says so, and inspect still answers with its preview', async () => {
    const covered = await degraded((context, photo) => {
      context.drawImage(photo, 0, 0);
      context.fillStyle = '#000';
      context.fillRect(0, 0, photo.width / 2, photo.height);
    });
    const { fov, quality, preview, photoId } = await inspect(covered);
    expect(fov.found).to.equal(false);
    expect(preview.data.byteLength).to.be.greaterThan(0);
    expect(photoId).to.be.a('string');
    const issue = onlyIssue(quality, 'no-field-of-view');
    expect([issue.value, issue.limit]).to.deep.equal([null, null]);
    expect(issue.message).to.match(/^Ungradable: no retina found \(field of view: .+\) — retake the photo$/);
    expect(quality.measures).to.include({ fovFound: false, fovVerdict: fov.verdict, focus: null, darkFraction: null });
  });

  it('says the small fixture has too few pixels across the retina, with the count in the message', async () => {
    const { fov, quality } = await inspect(await fixture('fundus.jpeg'));
    expect(fov.found).to.equal(true);
    const issue = onlyIssue(quality, 'low-resolution');
    expect(issue.value).to.equal(quality.measures.fovDiameterPx);
    expect(issue.value).to.be.below(QUALITY_THRESHOLDS.minFovDiameterPx);
    expect(issue.message).to.contain(
      `(${Math.round(issue.value!)} px across, needs ≥ ${QUALITY_THRESHOLDS.minFovDiameterPx})`,
    );
    // Focus cannot be told from blur at that size: not measured, not judged.
    expect(quality.measures.focus).to.equal(null);
  });

  it('grades an ungradable photo anyway, by its id with the verdict inspect gave, by its bytes with the same verdict', async () => {
    const blurred = await filtered('blur(6px)');
    const inspected = await inspect(blurred.slice(0));
    expect(inspected.quality.verdict).to.equal('ungradable');
    const before = await client.request('photo-stats', {});
    const byId = await client.request('grade', keptGradeParams(inspected.photoId, models));
    expect((await client.request('photo-stats', {})).decodes, 'decodes while grading by id').to.equal(before.decodes);
    expect(byId.quality).to.deep.equal(inspected.quality);
    expect(byId.variants.tfjs.probabilities).to.have.length(5);

    const byBytes = await client.request('grade', gradeParams(blurred, models), { transfer: [blurred] });
    expect(byBytes.quality).to.deep.equal(inspected.quality);

    const sharp = await client.request('grade', gradeParams(await fixture(SHARP_PHOTO), models));
    expect(sharp.quality.verdict).to.equal('gradable');
  });
});
