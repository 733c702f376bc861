/**
 * Counts the photo files the test build of the worker decodes: decodeImage (workers/images/decode-image.ts)
 * hands a file's bytes to createImageBitmap as a Blob, once per decode, and nothing else in the worker
 * passes it a Blob. The test entry wraps the global function before anything runs; the production worker
 * never imports this module.
 */
let decodes = 0;

export function countDecodes(scope: { createImageBitmap: typeof createImageBitmap }): () => number {
  const original = scope.createImageBitmap;
  scope.createImageBitmap = (...args: unknown[]) => {
    if (args[0] instanceof Blob) decodes++;
    return Reflect.apply(original, scope, args) as Promise<ImageBitmap>;
  };
  return () => decodes;
}
