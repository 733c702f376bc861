import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { awsOperation, printedScript, runDeployCli } from './support/deploy-cli.js';
import { STACK_TEMPLATE } from './support/paths.js';

const UP = ['up', '--dry-run', '--region', 'us-east-1', '--domain', 'grader.example.org'];
const SSH = ['--access', 'ssh', '--key-name', 'admin-key', '--admin-cidr', '203.0.113.7/32'];

describe('fundus-deploy: input checks fail fast, before any AWS call (exit 2)', () => {
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /a command is required/],
    ['unknown command', ['deploy'], /unknown command 'deploy'/],
    ['no region', ['up', '--domain', 'grader.example.org'], /--region is required/],
    [
      'bad region',
      ['up', '--region', 'us-east', '--domain', 'grader.example.org'],
      /region 'us-east' is not an AWS region/,
    ],
    ['no domain', ['up', '--region', 'us-east-1'], /--domain is required/],
    ['upper-case domain', [...UP.slice(0, 4), '--domain', 'Grader.example.org'], /use lower case/],
    ['IP as domain', [...UP.slice(0, 4), '--domain', '10.0.0.1'], /is not a DNS name/],
    ['URL as domain', [...UP.slice(0, 4), '--domain', 'https://grader.example.org'], /is not a DNS name/],
    ['single label', [...UP.slice(0, 4), '--domain', 'localhost'], /is not a DNS name/],
    ['hyphen at a label edge', [...UP.slice(0, 4), '--domain', '-grader.example.org'], /label '-grader' .* hyphen/],
    ['ssh without key and range', [...UP, '--access', 'ssh'], /--access ssh needs --key-name .* and --admin-cidr/],
    [
      'ssh open to the world',
      [...UP, '--access', 'ssh', '--key-name', 'k', '--admin-cidr', '0.0.0.0/0'],
      /far too many addresses/,
    ],
    [
      'host bits in the range',
      [...UP, '--access', 'ssh', '--key-name', 'k', '--admin-cidr', '203.0.113.7/24'],
      /did you mean 203\.0\.113\.0\/24\?/,
    ],
    [
      'octet over 255',
      [...UP, '--access', 'ssh', '--key-name', 'k', '--admin-cidr', '203.0.113.256/32'],
      /each number must be 0-255/,
    ],
    ['not a CIDR', [...UP, '--access', 'ssh', '--key-name', 'k', '--admin-cidr', '203.0.113.7'], /not an IPv4 range/],
    [
      'key name with a space',
      [...UP, '--access', 'ssh', '--key-name', 'my key', '--admin-cidr', '203.0.113.7/32'],
      /must name an existing EC2 key pair/,
    ],
    ['ssm with an SSH range', [...UP, '--admin-cidr', '203.0.113.7/32'], /only go with --access ssh/],
    ['unknown access', [...UP, '--access', 'telnet'], /--access must be ssm .* or ssh/],
    ['bad instance type', [...UP, '--instance-type', 'micro'], /not an EC2 instance type/],
    ['not a burstable type', [...UP, '--instance-type', 'm7g.large'], /use a burstable T type/],
    ['bad hosted zone', [...UP, '--hosted-zone-id', 'example.org'], /not a Route 53 zone id/],
    ['bad stack name', [...UP, '--stack', '9lives'], /must start with a letter/],
    [
      'up-only option on release',
      ['release', '--region', 'us-east-1', '--domain', 'grader.example.org'],
      /--domain only applies to 'up'/,
    ],
    ['option without value', ['up', '--region'], /--region needs a value/],
    ['unknown option', [...UP, '--force'], /unknown option '--force'/],
  ];
  for (const [name, args, message] of cases) {
    test(name, () => {
      const run = runDeployCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.awsInvocations, 0);
    });
  }

  test('--help lists every command and exits 0', () => {
    const run = runDeployCli(['--help']);
    assert.equal(run.code, 0);
    for (const command of ['up', 'release', 'rollback', 'status', 'down'])
      assert.match(run.stdout, new RegExp(`^  ${command} `, 'm'));
  });
});

describe('fundus-deploy --dry-run: prints every AWS call, calls none', () => {
  test('up (ssm, t4g.micro): AMI lookup, stack, wait for SSM, then a release through the bucket', async () => {
    const run = runDeployCli(UP);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.awsInvocations, 0);
    assert.deepEqual(run.awsCalls.map(awsOperation), [
      'ssm get-parameter',
      'cloudformation deploy',
      'cloudformation describe-stacks',
      'ssm describe-instance-information',
      's3 cp',
      's3 presign',
      'ssm send-command',
      'ssm get-command-invocation',
      'ssm get-command-invocation',
      'ssm get-command-invocation',
    ]);
    assert.match(
      run.awsCalls[0] ?? '',
      / --name \/aws\/service\/canonical\/ubuntu\/server\/24\.04\/stable\/current\/arm64\/hvm\/ebs-gp3\/ami-id /,
    );
    assert.match(
      run.awsCalls[1] ?? '',
      / --parameter-overrides DomainName=grader\.example\.org InstanceType=t4g\.micro AccessMode=ssm KeyName= AdminCidr= HostedZoneId= 'ImageId=\{ami-id\}'$/,
    );
    assert.ok(run.stdout.includes(await readFile(STACK_TEMPLATE, 'utf8')), 'the template is printed');
    assert.match(run.stdout, /^\+ node build\.mjs$/m);
    assert.match(run.stdout, /^\+ \S+\/deploy\/pack-release --out \S+\.tar\.gz --id \d{8}T\d{6}Z-\w+$/m);
    assert.doesNotMatch(run.stdout, /^\+ ssh /m);
    assert.match(
      printedScript(run.stdout),
      /^bash "\$work\/deploy\/instance\/setup\.sh" --domain grader\.example\.org$/m,
    );
  });

  test('an x86 instance type gets the amd64 image', () => {
    const run = runDeployCli([...UP, '--instance-type', 't3.small']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.awsCalls[0] ?? '', /\/current\/amd64\/hvm\//);
  });

  test('up with --access ssh: key and range go to the stack, commands go over ssh (no SSM)', () => {
    const run = runDeployCli([...UP, ...SSH, '--ssh-key', '/keys/admin.pem', '--skip-build']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.awsCalls[1] ?? '', / AccessMode=ssh KeyName=admin-key AdminCidr=203\.0\.113\.7\/32 /);
    assert.ok(!run.awsCalls.some((call) => awsOperation(call).startsWith('ssm send-command')));
    assert.match(
      run.stdout,
      /^\+ ssh .*-i \/keys\/admin\.pem 'ubuntu@\{PublicIp\}' 'sudo bash -s' < \(the script above\)$/m,
    );
    assert.doesNotMatch(run.stdout, /^\+ node build\.mjs$/m, '--skip-build');
  });

  test('release touches no stack; rollback and status run the release tool; down empties the bucket first', () => {
    const release = runDeployCli(['release', '--dry-run', '--region', 'eu-west-1']);
    assert.equal(release.code, 0, release.stderr);
    assert.deepEqual(release.awsCalls.map(awsOperation).slice(0, 3), [
      'cloudformation describe-stacks',
      's3 cp',
      's3 presign',
    ]);

    const rollback = runDeployCli(['rollback', '--dry-run', '--region', 'eu-west-1']);
    assert.equal(printedScript(rollback.stdout).split('\n').at(-1), 'fundus-grader-release rollback');
    const status = runDeployCli(['status', '--dry-run', '--region', 'eu-west-1']);
    assert.equal(printedScript(status.stdout).split('\n').at(-1), 'fundus-grader-release status');

    const down = runDeployCli(['down', '--dry-run', '--region', 'eu-west-1', '--stack', 'grader-test']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(down.awsCalls.map(awsOperation), [
      'cloudformation describe-stacks',
      's3 rm',
      'cloudformation delete-stack',
      'cloudformation wait',
    ]);
    assert.match(down.awsCalls[1] ?? '', /s3 rm 's3:\/\/\{BucketName\}' --recursive/);
    for (const run of [release, rollback, status, down]) assert.equal(run.awsInvocations, 0);
  });
});
