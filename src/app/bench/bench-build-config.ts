import type { BuildConfig } from '../build-config.js';

/** build.mjs adds the bench worker's hashed URL to the page's build config (absent in test bundles). */
interface BenchBuildConfig extends BuildConfig {
  benchWorkerUrl?: string;
}

declare const __BUILD_CONFIG__: BenchBuildConfig;

export const benchBuildConfig: BenchBuildConfig = __BUILD_CONFIG__;
