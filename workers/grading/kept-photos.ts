/**
 * The photos `inspect` prepared, kept in the worker under an id so that `grade` grades the photo the
 * screener saw in the preview without the page sending it again and without a second decode (a 4752×3168
 * camera JPEG takes about a second to decode and search for its retina).
 *
 * Bounded: KEPT_PHOTOS entries, the least recently kept or graded one evicted first. An entry never
 * holds the decoded photo (tens of MB at 4096 px), only what grading needs of it: the models' 300×300
 * RGB input (270,000 bytes), the record's thumbnail JPEG (a few KB at 160 px) and three small reports, so
 * the store holds at most about 4 × 0.28 MB ≈ 1.1 MB. (Only while `inspect` still prepares a photo, a
 * few hundred ms after its preview, are its decoded pixels alive too.) A photo with no retina keeps no
 * input and no thumbnail, only its reports (its `grade` answers 'no-retina').
 */
import type { RgbImage } from '../../src/shared/pixels.js';
import type { DecodedImageInfo, EncodedImage, FovReport, QualityReport } from '../../src/shared/protocol.js';

/** How many photos the worker keeps: the one on screen and a few chosen before it. */
export const KEPT_PHOTOS = 4;

/** What grading needs of a photo, computed once (by `inspect`, or by a `grade` sent the bytes). */
export interface PreparedPhoto {
  image: DecodedImageInfo;
  fov: FovReport;
  /** The quality gate's verdict, made with the field of view: `grade` by id returns it as `inspect` did. */
  quality: QualityReport;
  /** The models' input and the record's thumbnail; null when no retina was found (fov.found false). */
  graded: { rgb: RgbImage; thumbnail: EncodedImage } | null;
  decodeMs: number;
  /** Finding the retina, judging the photo's quality, the crop to the models' input and the thumbnail. */
  preprocessMs: number;
}

export class KeptPhotos {
  /** Map order is recency order: the first key is the least recently used. */
  private readonly photos = new Map<string, Promise<PreparedPhoto>>();

  constructor(readonly capacity = KEPT_PHOTOS) {}

  get size(): number {
    return this.photos.size;
  }

  /**
   * Keeps a photo (still being prepared: a `grade` waits for it, and fails as its preparation failed)
   * under a new id, unique across workers: a restarted worker never mistakes an old id for a photo.
   */
  keep(photo: Promise<PreparedPhoto>): string {
    // Handled here: a failure is reported to the `grade` that asks for the photo, never unhandled.
    photo.catch(() => undefined);
    const id = crypto.randomUUID();
    this.photos.set(id, photo);
    for (const oldest of this.photos.keys()) {
      if (this.photos.size <= this.capacity) break;
      this.photos.delete(oldest);
    }
    return id;
  }

  /** The photo kept under `id`, now the most recently used; undefined when it was never kept or was evicted. */
  get(id: string): Promise<PreparedPhoto> | undefined {
    const photo = this.photos.get(id);
    if (photo) {
      this.photos.delete(id);
      this.photos.set(id, photo);
    }
    return photo;
  }

  /** Forgets every photo; returns how many there were. */
  clear(): number {
    const count = this.photos.size;
    this.photos.clear();
    return count;
  }
}
