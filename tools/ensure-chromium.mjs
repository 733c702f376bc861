#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for the browser tests, the e2e tests and the benchmark.
// Playwright/puppeteer browser downloads are not used: only Debian's package (no other origin is reachable).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumPath } from './chromium.mjs';

function found() {
  try {
    return chromiumPath();
  } catch {
    return null;
  }
}

function run(command, args) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

let path = found();
if (!path) {
  const isRoot = process.getuid?.() === 0;
  const sudo = !isRoot && existsSync('/usr/bin/sudo') ? ['sudo'] : [];
  if (!existsSync('/usr/bin/apt-get') || (!isRoot && sudo.length === 0)) {
    console.error(
      "Chromium is missing and cannot be installed here: install Debian's `chromium` package, or set CHROMIUM_PATH.",
    );
    process.exit(1);
  }
  const apt = (...args) => (sudo.length ? run('sudo', ['apt-get', ...args]) : run('apt-get', args));
  if (!apt('update', '-qq') || !apt('install', '-y', '-qq', '--no-install-recommends', 'chromium')) {
    console.error('apt-get could not install chromium: see the messages above.');
    process.exit(1);
  }
  path = found();
  if (!path) {
    console.error('apt-get finished but no Chromium binary was found.');
    process.exit(1);
  }
}
const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`chromium: ${path} (${version || 'version unknown'})`);
