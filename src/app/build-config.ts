/**
 * Values the build (build.mjs) and the test bundler (web-test-runner.config.mjs) inject with esbuild's
 * `define`: where the hashed worker bundles and the runtimes' wasm files were put.
 */
export interface BuildConfig {
  version: string;
  inferenceWorkerUrl: string;
  /** The ONNX Runtime worker, which the inference worker starts (InitParams.ortWorkerUrl). */
  ortWorkerUrl: string;
  tfjsWasmPath: string;
  ortWasmPath: string;
}

declare const __BUILD_CONFIG__: BuildConfig;

export const buildConfig: BuildConfig = __BUILD_CONFIG__;
