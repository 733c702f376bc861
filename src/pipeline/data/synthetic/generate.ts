import { encodeFundus, type ImageFormat } from './encode.js';
import { renderScene } from './render.js';
import { sampleScene, type SceneRequest } from './scene.js';
import type { Scene } from './scene-types.js';

export interface FundusRequest extends SceneRequest {
  /** Image width in pixels; the height follows the sampled frame shape. */
  readonly size: number;
  readonly format: ImageFormat;
}

export interface SyntheticFundus {
  /** What the picture shows: grade, eye, lesion counts, the true field of view. */
  readonly scene: Scene;
  /** The encoded file. */
  readonly bytes: Buffer;
}

/** One synthetic fundus photo; the same request always gives the same bytes. */
export async function generateFundus(request: FundusRequest): Promise<SyntheticFundus> {
  const scene = sampleScene(request);
  const rgb = renderScene(scene, request.size);
  return { scene, bytes: await encodeFundus(rgb, scene, request.format) };
}
