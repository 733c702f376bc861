// One decode per photo: `inspect` keeps what it prepared under an id, `grade` grades that (worker side),
// and InferenceService sends the bytes only when the worker no longer has it (page side).
import { expect } from '@open-wc/testing';
import { buildConfig } from '../../src/app/build-config.js';
import { InferenceService } from '../../src/app/inference-service.js';
import type { GradeParams, GradeResult, InspectResult, ModelPair } from '../../src/shared/protocol.js';
import { InferenceError, MAX_PHOTO_ID_LENGTH } from '../../src/shared/protocol.js';
import { KEPT_PHOTOS } from '../../workers/grading/kept-photos.js';
import type { TestingRequestMap } from '../../workers/testing/test-protocol.js';
import {
  drawnImage,
  fixture,
  gradeParams,
  initWorker,
  inspectParams,
  keptGradeParams,
  MODELS_URL,
  rejectionOf,
  tinyModels,
  type TestClient,
} from './worker-client.js';

const blackPhoto = () => drawnImage(512, 384, (c) => c.fillRect(0, 0, 512, 384), 'image/jpeg');

/** What grading by id must give exactly as grading the bytes does (the timings aside). */
function graded(result: GradeResult) {
  const { image, fov, quality, thumbnail, model, variants, outcome } = result;
  return {
    image,
    fov,
    quality,
    thumbnail: { ...thumbnail, bytes: [...new Uint8Array(thumbnail.bytes)] },
    model,
    variants: { tfjs: variants.tfjs.probabilities, ort: variants.ort.probabilities },
    outcome,
  };
}

describe('the worker keeps the photo it inspected, and grades it by its id', () => {
  let client: TestClient;
  let models: ModelPair;
  let fromBytes: GradeResult;
  const inspect = async (image: ArrayBuffer): Promise<InspectResult> =>
    client.request('inspect', inspectParams(image), { transfer: [image] });
  const gradeKept = (photoId: string) => client.request('grade', keptGradeParams(photoId, models));

  before(async () => {
    models = await tinyModels('fp16');
    ({ client } = await initWorker('wasm', 'wasm'));
    fromBytes = await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
  });
  after(() => client.terminate());

  it('grades the photo inspect kept without its bytes or a second decode, as grading its bytes does', async () => {
    const image = await fixture('fundus.jpeg');
    const inspected = await inspect(image);
    expect(image.byteLength, 'inspect was handed the bytes').to.equal(0);
    expect(inspected.photoId).to.be.a('string');
    expect(inspected.photoId.length).to.be.within(1, MAX_PHOTO_ID_LENGTH);
    const before = await client.request('photo-stats', {});

    const stages: string[] = [];
    const result = await client.request('grade', keptGradeParams(inspected.photoId, models), {
      onProgress: (p) => stages.push(p.stage),
    });
    expect(stages, 'no decode, no preprocessing').to.deep.equal(['models']);
    expect((await client.request('photo-stats', {})).decodes, 'decodes while grading').to.equal(before.decodes);
    expect(graded(result)).to.deep.equal(graded(fromBytes));
    expect(result.image).to.deep.equal(inspected.image);
    expect(result.fov).to.deep.equal(inspected.fov);
    expect(result.quality).to.deep.equal(inspected.quality);
    // The inspect's own decode and preprocessing times, and a total that includes them.
    expect(result.timings.decodeMs).to.be.greaterThan(0);
    expect(result.timings.preprocessMs).to.be.greaterThan(0);
    expect(result.timings.totalMs).to.be.greaterThan(result.timings.decodeMs + result.timings.preprocessMs);

    // The same photo graded again (another screening): the kept thumbnail was copied out, not given away.
    const again = await gradeKept(inspected.photoId);
    expect(graded(again)).to.deep.equal(graded(fromBytes));
    expect(again.thumbnail.bytes.byteLength).to.be.greaterThan(500);
  });

  it('decodes each inspected photo once, and a grading of bytes once', async () => {
    const before = await client.request('photo-stats', {});
    const { photoId } = await inspect(await fixture('fundus.jpeg'));
    await gradeKept(photoId);
    await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
    expect((await client.request('photo-stats', {})).decodes - before.decodes).to.equal(2);
  });

  it(`keeps ${KEPT_PHOTOS} photos, evicting the least recently inspected or graded`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < KEPT_PHOTOS; i++) ids.push((await inspect(await fixture('fundus.jpeg'))).photoId);
    expect(new Set(ids).size).to.equal(KEPT_PHOTOS);
    // Grading the first makes it the most recently used: the second is now the oldest.
    await gradeKept(ids[0]!);
    const newest = (await inspect(await fixture('fundus.jpeg'))).photoId;
    expect((await client.request('photo-stats', {})).kept).to.equal(KEPT_PHOTOS);

    const evicted = await rejectionOf(gradeKept(ids[1]!));
    expect(evicted.code).to.equal('photo-not-kept');
    for (const id of [ids[0]!, ...ids.slice(2), newest]) {
      expect((await gradeKept(id)).variants.tfjs.probabilities).to.deep.equal(fromBytes.variants.tfjs.probabilities);
    }
  });

  it('answers photo-not-kept for an id it never kept, and for every id after forgetting them', async () => {
    expect((await rejectionOf(gradeKept(crypto.randomUUID()))).code).to.equal('photo-not-kept');
    const { photoId } = await inspect(await fixture('fundus.jpeg'));
    expect((await client.request('forget-photos', {})).forgotten).to.be.greaterThan(0);
    const error = await rejectionOf(gradeKept(photoId));
    expect(error.code).to.equal('photo-not-kept');
    expect(error.message).to.contain(photoId);
  });

  it('keeps a photo with no retina: graded by its id it answers no-retina with the verdict, as its bytes do', async () => {
    const inspected = await inspect(await blackPhoto());
    expect(inspected.fov).to.include({ found: false, verdict: 'too-dark' });
    const byId = await rejectionOf(gradeKept(inspected.photoId));
    const byBytes = await rejectionOf(client.request('grade', gradeParams(await blackPhoto(), models)));
    expect({ code: byId.code, verdict: byId.verdict, message: byId.message }).to.deep.equal({
      code: 'no-retina',
      verdict: 'too-dark',
      message: inspected.fov.message,
    });
    expect([byBytes.code, byBytes.verdict, byBytes.message]).to.deep.equal([byId.code, byId.verdict, byId.message]);
  });

  it('refuses a grade with both or neither of photoId and image, or a photoId that is not a short string', async () => {
    const { photoId } = await inspect(await fixture('fundus.jpeg'));
    const before = await client.request('photo-stats', {});
    const load = { modelsUrl: MODELS_URL, models };
    const bad = async (params: object) =>
      rejectionOf(client.request('grade', params as GradeParams)).then(({ code, message }) => ({ code, message }));
    const image = await fixture('fundus.jpeg');
    for (const params of [{ ...load, photoId, image, thumbnailMaxSide: 96 }, load, { ...load, image: undefined }]) {
      const error = await bad(params);
      expect(error.code).to.equal('bad-request');
      expect(error.message).to.contain('exactly one of photoId');
    }
    for (const id of [42, null, '', 'x'.repeat(MAX_PHOTO_ID_LENGTH + 1), ['a']]) {
      const error = await bad({ ...load, photoId: id });
      expect(error.code, JSON.stringify(id)).to.equal('bad-request');
      expect(error.message).to.contain(`photoId must be a string of 1 to ${MAX_PHOTO_ID_LENGTH} characters`);
    }
    expect((await bad({ ...load, image, thumbnailMaxSide: 'big' })).message).to.contain('thumbnailMaxSide');
    const noThumbnail = await rejectionOf(client.request('inspect', { image, previewMaxSide: 200 } as never));
    expect([noThumbnail.code, noThumbnail.message]).to.deep.equal([
      'bad-request',
      'thumbnailMaxSide must be an integer from 16 to 2048',
    ]);
    // Refused before anything was decoded; the kept photo is still there.
    expect((await client.request('photo-stats', {})).decodes).to.equal(before.decodes);
    expect((await gradeKept(photoId)).fov.found).to.equal(true);
  });
});

describe('InferenceService.grade: the kept photo, and its bytes only when the worker lost it', () => {
  let service: InferenceService<TestingRequestMap>;
  let models: ModelPair;
  let reads = 0;
  const readImage = () => {
    reads++;
    return fixture('fundus.jpeg');
  };
  const inspect = async () => {
    const image = await fixture('fundus.jpeg');
    return service.request('inspect', inspectParams(image), { transfer: [image] });
  };
  const grade = (photoId: string) =>
    service.grade(readImage, { modelsUrl: MODELS_URL, models, photoId, thumbnailMaxSide: 96 });

  before(async () => {
    models = await tinyModels('fp16');
    service = new InferenceService<TestingRequestMap>({
      createWorker: () => new Worker(buildConfig.inferenceWorkerUrl, { type: 'module' }),
      tfjsWasmPath: buildConfig.tfjsWasmPath,
      ortWasmPath: buildConfig.ortWasmPath,
    });
    await service.start({ tfjs: 'wasm', ort: 'wasm' });
  });
  beforeEach(() => (reads = 0));
  after(() => service.stop());

  it('grades the kept photo without reading the file', async () => {
    const { photoId } = await inspect();
    const { decodes } = await service.request('photo-stats', {});
    const result = await grade(photoId);
    expect(result.fov.found).to.equal(true);
    expect(reads).to.equal(0);
    expect((await service.request('photo-stats', {})).decodes).to.equal(decodes);
  });

  it('sends the bytes once when the worker forgot the photo, and grades them', async () => {
    const { photoId } = await inspect();
    const kept = await grade(photoId);
    await service.request('forget-photos', {});
    const error = await rejectionOf(service.request('grade', keptGradeParams(photoId, models)));
    expect(error).to.be.instanceOf(InferenceError);
    expect(error.code).to.equal('photo-not-kept');

    const result = await grade(photoId);
    expect(reads).to.equal(1);
    expect(graded(result)).to.deep.equal(graded(kept));
  });

  it('sends the bytes once to a restarted worker, which keeps no photo', async () => {
    const { photoId } = await inspect();
    await service.start({ tfjs: 'wasm', ort: 'wasm' });
    expect((await service.request('photo-stats', {})).kept).to.equal(0);
    const result = await grade(photoId);
    expect(reads).to.equal(1);
    expect(result.variants.ort.probabilities).to.have.length(5);
  });

  it('reads nothing when the kept photo has no retina: the same no-retina answer', async () => {
    const image = await blackPhoto();
    const { photoId } = await service.request('inspect', inspectParams(image), { transfer: [image] });
    const error = await rejectionOf(grade(photoId));
    expect([error.code, error.verdict]).to.deep.equal(['no-retina', 'too-dark']);
    expect(reads).to.equal(0);
  });
});
