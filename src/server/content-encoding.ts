/** Precompressed variants sit next to the file as `<file>.br` / `<file>.gz`. */
export type ContentCoding = 'br' | 'gzip';

/** Server preference when the client likes several equally: brotli is smaller. */
export const CODINGS_BY_PREFERENCE: readonly ContentCoding[] = ['br', 'gzip'];

export const VARIANT_SUFFIX: Readonly<Record<ContentCoding, string>> = { br: '.br', gzip: '.gz' };

/** Request paths naming a variant file directly are not resources of their own. */
export function isVariantFileName(name: string): boolean {
  return Object.values(VARIANT_SUFFIX).some((suffix) => name.endsWith(suffix));
}

/**
 * Picks the variant the client weighs highest (ties go to server preference); undefined means
 * identity. No Accept-Encoding header also means identity: RFC 9110 would allow any coding,
 * but old clients that omit the header rarely decode brotli.
 */
export function negotiateEncoding<T extends { readonly coding: ContentCoding }>(
  acceptEncoding: string | undefined,
  variants: readonly T[],
): T | undefined {
  if (acceptEncoding === undefined || variants.length === 0) return undefined;
  const weights = codingWeights(acceptEncoding);
  let best: T | undefined;
  let bestWeight = 0;
  for (const variant of variants) {
    const weight = weights[variant.coding];
    if (weight > bestWeight) {
      best = variant;
      bestWeight = weight;
    }
  }
  return best;
}

// Browsers send a handful of distinct Accept-Encoding values, each on nearly every request: parse
// each once. Bounded, so a client inventing a new value per request costs a re-parse, not memory.
const WEIGHTS_MEMO_MAX = 64;
const weightsMemo = new Map<string, Readonly<Record<ContentCoding, number>>>();

function codingWeights(acceptEncoding: string): Readonly<Record<ContentCoding, number>> {
  const memo = weightsMemo.get(acceptEncoding);
  if (memo !== undefined) return memo;
  const weights = parseAcceptEncoding(acceptEncoding);
  const star = weights.get('*') ?? 0;
  const result = { br: weights.get('br') ?? star, gzip: weights.get('gzip') ?? weights.get('x-gzip') ?? star };
  if (weightsMemo.size >= WEIGHTS_MEMO_MAX) weightsMemo.clear();
  weightsMemo.set(acceptEncoding, result);
  return result;
}

/** coding → q. A malformed q counts as 0: never send a coding the client may not decode. */
function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const element of header.split(',')) {
    const [name = '', ...params] = element.split(';').map((part) => part.trim());
    if (name === '') continue;
    let weight = 1;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=').map((part) => part.trim());
      if (key.toLowerCase() === 'q') weight = parseQuality(value);
    }
    weights.set(name.toLowerCase(), weight);
  }
  return weights;
}

function parseQuality(value: string): number {
  return /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? Number(value) : 0;
}
