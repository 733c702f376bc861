export interface VendorPackage {
  name: string;
  folder: string;
  from: string;
  files: string[];
}
export const appVersion: string;
export const vendorPackages: VendorPackage[];
export function vendorUrl(name: string): string;
export function buildConfig(
  inferenceWorkerUrl: string,
  ortWorkerUrl: string,
): {
  version: string;
  inferenceWorkerUrl: string;
  ortWorkerUrl: string;
  tfjsWasmPath: string;
  ortWasmPath: string;
};
export const browserBundleOptions: Record<string, unknown>;
