#!/usr/bin/env node
// Set-up step of `npm test` (stage "tools", before the Node tests): installs the Debian packages of the
// tools some tests drive (tools/test-tools.mjs) when they are missing, with apt-get as root or with
// sudo, so that no test installs anything itself. Where that cannot be done it says so and carries on:
// the tests that need a missing tool skip with the reason, and the summary lists them.
// --check: only say what is found and what is missing, install nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEBIAN_TEST_TOOLS, OTHER_TEST_TOOLS, hasCommand, installHint } from './test-tools.mjs';

function aptGet(sudo, args) {
  const [command, ...rest] = sudo ? ['sudo', 'apt-get', ...args] : ['apt-get', ...args];
  console.log(`$ ${command} ${rest.join(' ')}`);
  const run = spawnSync(command, [...rest], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return run.status === 0;
}

const checkOnly = process.argv.includes('--check');
const missing = DEBIAN_TEST_TOOLS.filter((tool) => !hasCommand(tool.command));
if (missing.length && !checkOnly) {
  const isRoot = process.getuid?.() === 0;
  const sudo = !isRoot && existsSync('/usr/bin/sudo');
  if (!existsSync('/usr/bin/apt-get') || (!isRoot && !sudo)) {
    console.log(`not installing ${missing.map((t) => t.pkg).join(', ')}: needs apt-get and root or sudo`);
  } else {
    const packages = [...new Set(missing.map((t) => t.pkg))];
    const install = ['-o', 'DPkg::Lock::Timeout=120', 'install', '-y', '-qq', '--no-install-recommends', ...packages];
    // The package lists may be stale or absent (a fresh container): update once, then try again.
    if (
      !aptGet(sudo, install) &&
      !(aptGet(sudo, ['-o', 'DPkg::Lock::Timeout=120', 'update', '-qq']) && aptGet(sudo, install))
    ) {
      console.log('apt-get could not install them (see above): the tests that need them will skip');
    }
  }
}
for (const tool of [...DEBIAN_TEST_TOOLS, ...OTHER_TEST_TOOLS]) {
  const here = hasCommand(tool.command);
  console.log(
    here
      ? `${tool.command}: found`
      : `${tool.command}: missing (${installHint(tool.command)}), so these tests skip: ${tool.usedBy}`,
  );
}
