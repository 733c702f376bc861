// The command-line tools some tests drive besides Node and Chromium. `npm test` installs the Debian ones
// in its set-up step (tools/ensure-test-tools.mjs); tests never install anything: where a tool is still
// missing they skip, and the reason (testToolSkipReason) names the tool and how to get it.
import { spawnSync } from 'node:child_process';

/** Installed by the set-up step when missing (as root, or with sudo, where apt-get exists). */
export const DEBIAN_TEST_TOOLS = [
  {
    command: 'caddy',
    pkg: 'caddy',
    usedBy: 'the deployed Caddyfile, the TLS proxy and the zero-downtime release tests',
  },
  { command: 'shellcheck', pkg: 'shellcheck', usedBy: 'the lint of the deploy scripts' },
  { command: 'systemd-analyze', pkg: 'systemd', usedBy: 'the check of the systemd units as installed' },
  { command: 'openssl', pkg: 'openssl', usedBy: "the server's TLS tests (test certificates)" },
  { command: 'pdftotext', pkg: 'poppler-utils', usedBy: "the printed visit report's text (end-to-end, page.pdf())" },
];

/** Never installed by the set-up step (large, or not in Debian): the tests that need them skip. */
export const OTHER_TEST_TOOLS = [
  {
    command: 'aws',
    install: 'apt-get install awscli (or the AWS CLI v2 installer)',
    usedBy: 'the offline check of every AWS CLI call fundus-deploy makes',
  },
  {
    command: 'cfn-lint',
    install: 'pip install cfn-lint (AWS publishes it on PyPI only, not on npm or in Debian)',
    usedBy: 'the CloudFormation template lint',
  },
];

export function hasCommand(command) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
}

/** How to get a tool, in words. */
export function installHint(command) {
  const debian = DEBIAN_TEST_TOOLS.find((t) => t.command === command);
  if (debian) return `apt-get install ${debian.pkg}`;
  return OTHER_TEST_TOOLS.find((t) => t.command === command)?.install ?? `install ${command}`;
}

/** undefined when the tool is here; else the reason a test that needs it skips: "<tool> not found: <how to get it>". */
export function testToolSkipReason(command) {
  if (hasCommand(command)) return undefined;
  const setUp = DEBIAN_TEST_TOOLS.some((t) => t.command === command) ? ', or npm run setup:test-tools as root' : '';
  return `${command} not found: ${installHint(command)}${setUp}`;
}
