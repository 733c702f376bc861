/**
 * Photos opened from outside the app: shared from the camera or gallery (the web manifest's
 * `share_target`, received by the service worker, workers/sw/share-target.ts) or opened as files (its
 * `file_handlers`, received by the page through `launchQueue`, src/app/launch/). Both sides keep to what
 * is declared here: the address the page is sent to, the cache the shared files wait in, the limits and
 * the checks every such photo passes, and the problems they report.
 */

/** The manifest's `share_target.action` and the name of its files field. */
export const SHARE_TARGET_ACTION = '/share-target';
export const SHARE_FORM_FIELD = 'photos';

/** Cache Storage cache the service worker leaves a share in until the page takes it. */
export const SHARED_PHOTOS_CACHE = 'fundus-grader-shared';
/** A share the page never took (it did not start, it was closed) is discarded after this long. */
export const SHARED_PHOTOS_MAX_AGE_MS = 60 * 60 * 1000;
/** On every stored entry: when the share was stored (ms since the epoch), so stale ones can be found. */
export const SHARED_AT_HEADER = 'X-Shared-At';

export const PHOTO_LIMITS = {
  /** Photos taken from one share or one launch; the rest are left out. */
  maxFiles: 8,
  /** Per photo: a fundus camera's full-resolution JPEG is 2–15 MB. */
  maxBytes: 40 * 1024 * 1024,
} as const;

export const ACCEPTED_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type AcceptedPhotoType = (typeof ACCEPTED_PHOTO_TYPES)[number];

/** Query parameters of the address the app is opened at. */
export const LAUNCH_PARAMS = { view: 'view', shared: 'shared', shareError: 'share-error' } as const;
export const LAUNCH_VIEWS = ['visit', 'history'] as const;
export type LaunchView = (typeof LAUNCH_VIEWS)[number];

export const PHOTO_PROBLEM_CODES = [
  'no-files',
  'not-image',
  'too-large',
  'too-many',
  'refused',
  'unreadable',
  'not-stored',
  'gone',
] as const;
export type PhotoProblemCode = (typeof PHOTO_PROBLEM_CODES)[number];

export interface PhotoProblem {
  code: PhotoProblemCode;
  /** The file it concerns, where there is one. */
  fileName?: string;
  /** too-many: how many photos were left out. */
  count?: number;
}

/** One photo of a stored share: its bytes are the cache entry at `key` (a path). */
export interface SharedPhotoEntry {
  key: string;
  name: string;
  type: AcceptedPhotoType;
  size: number;
  lastModified: number;
}

/** The share's index, stored after its photos: a share without one was not stored completely. */
export interface StoredShare {
  id: string;
  storedAt: number;
  photos: SharedPhotoEntry[];
  problems: PhotoProblem[];
}

const SHARED_PATH_PREFIX = '/__shared-photos/';
const SHARE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Share ids are random UUIDs; anything else in an address is not one of ours. */
export function isShareId(text: string): boolean {
  return SHARE_ID.test(text);
}

/** Every entry of a share lives under this path. */
export function sharePathPrefix(id: string): string {
  return `${SHARED_PATH_PREFIX}${id}/`;
}
export function shareIndexPath(id: string): string {
  return `${sharePathPrefix(id)}share.json`;
}
export function sharedPhotoPath(id: string, index: number): string {
  return `${sharePathPrefix(id)}${index}`;
}
export function isPhotoProblemCode(text: string): text is PhotoProblemCode {
  return (PHOTO_PROBLEM_CODES as readonly string[]).includes(text);
}

export function isLaunchView(text: string | null): text is LaunchView {
  return (LAUNCH_VIEWS as readonly (string | null)[]).includes(text);
}

/**
 * The type the bytes say, whatever the name or the declared type claim: JPEG, PNG and WebP are what
 * the worker decodes; a renamed PDF is refused here with a clear message rather than in the decoder.
 */
export function sniffPhotoType(head: Uint8Array): AcceptedPhotoType | null {
  const starts = (bytes: readonly number[], at = 0) => bytes.every((byte, i) => head[at + i] === byte);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // "RIFF" <size> "WEBP"
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

/** What the checks need of a file (a File or a Blob with a name), so this module needs no DOM types. */
export interface PhotoCandidate {
  readonly name: string;
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface CheckedPhotos<T extends PhotoCandidate> {
  accepted: Array<{ file: T; type: AcceptedPhotoType }>;
  problems: PhotoProblem[];
}

/**
 * The photos that may be opened, in order: JPEG, PNG or WebP by their bytes, at most PHOTO_LIMITS.maxBytes
 * each, at most PHOTO_LIMITS.maxFiles in all; a problem for each file refused and one for those left out.
 */
export async function checkPhotos<T extends PhotoCandidate>(files: readonly T[]): Promise<CheckedPhotos<T>> {
  const result: CheckedPhotos<T> = { accepted: [], problems: [] };
  if (!files.length) return { accepted: [], problems: [{ code: 'no-files' }] };
  let leftOut = 0;
  for (const file of files) {
    if (file.size > PHOTO_LIMITS.maxBytes) {
      result.problems.push({ code: 'too-large', fileName: file.name });
      continue;
    }
    const type = sniffPhotoType(new Uint8Array(await file.slice(0, 12).arrayBuffer()));
    if (!type) result.problems.push({ code: 'not-image', fileName: file.name });
    else if (result.accepted.length >= PHOTO_LIMITS.maxFiles) leftOut += 1;
    else result.accepted.push({ file, type });
  }
  if (leftOut) result.problems.push({ code: 'too-many', count: leftOut });
  return result;
}

const megabytes = `${PHOTO_LIMITS.maxBytes / (1024 * 1024)} MB`;

/** The sentence the page shows for a problem. */
export function photoProblemMessage({ code, fileName, count }: PhotoProblem): string {
  const file = fileName ? `“${fileName}”` : 'The shared file';
  switch (code) {
    case 'no-files':
      return 'The share held no photo.';
    case 'not-image':
      return `${file} is not a JPEG, PNG or WebP photo.`;
    case 'too-large':
      return `${file} is larger than ${megabytes}, the most a photo may be.`;
    case 'too-many':
      return `Only ${PHOTO_LIMITS.maxFiles} photos can be opened at once: ${
        count ? `${count} more ${count === 1 ? 'was' : 'were'}` : 'the others were'
      } left out.`;
    case 'refused':
      return 'The share was refused: only photos shared on this device can be opened.';
    case 'unreadable':
      return 'The share could not be read.';
    case 'not-stored':
      return 'The shared photos could not be stored on this device (is its storage full?).';
    case 'gone':
      return fileName
        ? `${file} is no longer here.`
        : 'The shared photos are no longer here: they were already opened, or cleared.';
  }
}
