// Where Chromium is and how to start it headless with WebGPU on its software adapter (SwiftShader).
// Shared by the browser tests, the end-to-end tests and the benchmark CLI.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH ?? CANDIDATES.find((candidate) => existsSync(candidate));
  if (!path) {
    throw new Error(
      'Chromium not found: run `npm run setup:chromium` (Debian: apt-get install chromium) or set CHROMIUM_PATH',
    );
  }
  return path;
}

/** userDataDir: false for Playwright, which makes its own fresh profile. */
export function chromiumArgs({ webgpu = true, userDataDir = true } = {}) {
  return [
    '--no-sandbox',
    // This machine has no network: background services would only fail to connect, slowly.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-dev-shm-usage',
    ...(userDataDir ? [`--user-data-dir=${mkdtempSync(join(tmpdir(), 'fg-chromium-'))}`] : []),
    ...(webgpu ? ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'] : []),
  ];
}
