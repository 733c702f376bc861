import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { requireTool } from './support/debian-tool.js';
import { awsOperation, runDeployCli } from './support/deploy-cli.js';

// Not installed on demand: Debian's awscli pulls in ~100 MB of Python; where it is missing, skip.
const skip = requireTool('aws');

/** Port 9 (discard) on loopback: nothing listens, so a call stops exactly where the network starts. */
const NOWHERE = 'http://127.0.0.1:9';
const OFFLINE_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '1',
  AWS_RETRY_MODE: 'standard',
  AWS_PAGER: '',
};

/** What AWS would have answered in place of the dry run's {placeholders}; botocore checks their shape. */
const ANSWERS: Record<string, string> = {
  '{ami-id}': 'ami-0123456789abcdef0',
  '{BucketName}': 'fundus-grader-releasebucket-1a2b3c4d5e6f',
  '{InstanceId}': 'i-0123456789abcdef0',
  '{CommandId}': '0b9f8a7e-1234-4cde-9f00-123456789abc',
  '{PublicIp}': '203.0.113.10',
  '{DomainName}': 'grader.example.org',
};
const withAnswers = (call: string): string =>
  call.replace(/\{[A-Za-z-]+\}/g, (placeholder) => ANSWERS[placeholder] ?? placeholder);

function runAws(call: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `${call} --endpoint-url ${NOWHERE}`],
      { env: { ...process.env, ...OFFLINE_ENV } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Every call the dry runs print, handed to the real AWS CLI with dummy credentials and an endpoint
 * where nothing listens: the CLI's own argument parsing, JMESPath --query compilation, file://
 * and shorthand parsing and botocore's parameter validation all run, and the call fails only
 * when it tries to connect. Options the CLI does not know, or a malformed query, fail earlier.
 */
describe(
  'the AWS CLI accepts every call fundus-deploy makes (offline)',
  { skip: skip ?? false, timeout: 60_000 },
  () => {
    const runs = [
      runDeployCli([
        'up',
        '--dry-run',
        '--region',
        'us-east-1',
        '--domain',
        'grader.example.org',
        '--hosted-zone-id',
        'Z0123456789ABCDEFGHIJ',
      ]),
      runDeployCli(['down', '--dry-run', '--region', 'us-east-1']),
    ];
    const calls = [...new Set(runs.flatMap((run) => run.awsCalls))].map(withAnswers);

    test('the dry runs printed the calls to check, with nothing left unanswered', () => {
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      assert.ok(calls.length >= 10, calls.join('\n'));
      assert.deepEqual(
        calls.filter((call) => /\{[A-Za-z-]+\}/.test(call)),
        [],
      );
    });

    test('and the check does catch a misspelt option and a broken --query', async () => {
      const describe = calls.find((call) => awsOperation(call) === 'cloudformation describe-stacks') ?? '';
      for (const broken of [
        describe.replace('--stack-name', '--stack-nme'),
        describe.replace('Stacks[0].[', 'Stacks[0].[['),
      ]) {
        const result = await runAws(broken);
        assert.notEqual(result.code, 0);
        assert.doesNotMatch(result.stdout + result.stderr, /Could not connect/, broken);
      }
    });

    for (const call of calls) {
      test(awsOperation(call), async () => {
        // s3 cp checks its local file before anything else; the dry run never packed one.
        const upload = /^aws .* s3 cp (\S+\.tar\.gz) /.exec(call)?.[1];
        if (upload) {
          await mkdir(dirname(upload), { recursive: true });
          await writeFile(upload, 'release bytes');
        }
        try {
          const result = await runAws(call);
          const output = result.stdout + result.stderr;
          if (awsOperation(call) === 's3 presign') {
            // Signing happens locally: a URL comes back.
            assert.equal(result.code, 0, output);
            assert.match(result.stdout, /X-Amz-Signature=|Signature=/);
          } else {
            assert.match(output, /Could not connect to the endpoint URL/, `${call}\n→ ${output}`);
          }
        } finally {
          if (upload) await rm(dirname(upload), { recursive: true, force: true });
        }
      });
    }
  },
);
