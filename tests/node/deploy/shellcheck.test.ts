import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { requireTool } from './support/debian-tool.js';
import { FAKE_SYSTEMCTL, REPO } from './support/paths.js';

const SCRIPTS = [
  'deploy/fundus-deploy',
  'deploy/pack-release',
  'deploy/lib/validate.sh',
  'deploy/instance/setup.sh',
  'deploy/instance/fundus-grader-release',
];

test(
  'shellcheck finds nothing in the deploy scripts (all severities, sourced files followed)',
  { skip: requireTool('shellcheck') ?? false },
  () => {
    const result = spawnSync(
      'shellcheck',
      ['--shell=bash', '--external-sources', '--severity=style', ...SCRIPTS, FAKE_SYSTEMCTL],
      {
        cwd: REPO,
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
  },
);
