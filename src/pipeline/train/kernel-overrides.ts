import * as tf from '@tensorflow/tfjs';

export type KernelArgs = Parameters<tf.KernelFunc>[0];
/** A replacement kernel; returning null hands the call to the kernel it replaced. */
export type OverrideFunc = (args: KernelArgs) => tf.TensorInfo | null;

/**
 * Replaces registered kernels of one backend, keeping the originals to fall back on and to put back.
 * An original's setup function (which binds its wasm export) is forwarded, so it still runs when the
 * backend initialises after the override.
 */
export class KernelOverrides {
  readonly #backendName: string;
  readonly #originals = new Map<string, tf.KernelConfig | undefined>();

  constructor(backendName: string) {
    this.#backendName = backendName;
  }

  get active(): boolean {
    return this.#originals.size > 0;
  }

  override(kernelName: string, replacement: OverrideFunc): void {
    if (this.#originals.has(kernelName)) return;
    const original = tf.getKernel(kernelName, this.#backendName);
    if (original) tf.unregisterKernel(kernelName, this.#backendName);
    this.#originals.set(kernelName, original);
    const kernelFunc: tf.KernelFunc = (args) => {
      const out = replacement(args);
      if (out) return out;
      if (!original) throw new Error(`${kernelName} on ${this.#backendName}: no original kernel to fall back on`);
      return original.kernelFunc(args);
    };
    tf.registerKernel({
      kernelName,
      backendName: this.#backendName,
      kernelFunc,
      ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    });
  }

  restore(): void {
    for (const [kernelName, original] of this.#originals) {
      tf.unregisterKernel(kernelName, this.#backendName);
      if (original) tf.registerKernel(original);
    }
    this.#originals.clear();
  }
}
