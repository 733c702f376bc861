/** Safe to keep forever: the URL changes whenever the bytes do. */
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
/** May be stored, but must be revalidated (ETag / Last-Modified) before each use. */
export const CACHE_REVALIDATE = 'no-cache';
/** Errors must not outlive the moment: a 404 during a deploy must not stick in a cache. */
export const CACHE_NONE = 'no-store';

// esbuild's `[name]-[hash]` naming; the extension part allows `.js.map`.
const HASHED_ASSET_NAME = /^.+-[A-Za-z0-9]{8,}(?:\.[A-Za-z0-9]+)+$/;

/**
 * Cache-Control for a file, from its path segments under the root.
 * Immutable: hashed names in assets/, everything in vendor/ (folders carry the package version),
 * and model files under models/<id>/<version>/. Everything else (HTML, sw.js, the web manifest,
 * models/manifest.json) must be revalidated, so a deploy takes effect on the next load.
 */
export function cacheControlFor(segments: readonly string[]): string {
  const [top] = segments;
  const name = segments[segments.length - 1] ?? '';
  if (top === 'assets' && HASHED_ASSET_NAME.test(name)) return CACHE_IMMUTABLE;
  if (top === 'vendor' && segments.length >= 2) return CACHE_IMMUTABLE;
  if (top === 'models' && segments.length >= 4) return CACHE_IMMUTABLE;
  return CACHE_REVALIDATE;
}
