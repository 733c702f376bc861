import type { Grade } from '../../shared/grades.js';
import { decodeFloat16 } from '../export/float16.js';
import { hashSeed } from '../data/random.js';
import type { Examples } from '../train/examples.js';
import { DIHEDRAL_VARIANTS } from './dihedral.js';
import type { PhotoFeatures } from './feature-store.js';

/**
 * A feature store's photos as trainer examples. Unaugmented loads give the photo itself (variant
 * 0), as the app sees it; augmented loads pick one of the eight dihedral variants from the seed.
 */

function variantOf(augmentSeed: number | undefined): number {
  return augmentSeed === undefined ? 0 : hashSeed('dihedral', augmentSeed) % DIHEDRAL_VARIANTS;
}

export function pooledExamples(photos: readonly PhotoFeatures[], labels: readonly Grade[]): Examples {
  const width = photos[0]!.pooled.length / DIHEDRAL_VARIANTS;
  return {
    count: photos.length,
    labels,
    inputShape: [width],
    async load(index, out, offset, augmentSeed) {
      const v = variantOf(augmentSeed);
      out.set(photos[index]!.pooled.subarray(v * width, (v + 1) * width), offset);
    },
  };
}

export function conv4Examples(
  photos: readonly PhotoFeatures[],
  labels: readonly Grade[],
  conv4Size: number,
  channels: number,
): Examples {
  const width = conv4Size * conv4Size * channels;
  return {
    count: photos.length,
    labels,
    inputShape: [conv4Size, conv4Size, channels],
    async load(index, out, offset, augmentSeed) {
      const v = variantOf(augmentSeed);
      out.set(decodeFloat16(photos[index]!.conv4.subarray(v * width, (v + 1) * width)), offset);
    },
  };
}
