import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { readTemplate, type Resource, type Template } from './support/cloudformation-yaml.js';
import { requireTool } from './support/debian-tool.js';
import { DEPLOY_CLI, STACK_TEMPLATE } from './support/paths.js';

const noCfnLint = requireTool('cfn-lint');

describe(
  'CloudFormation template: cfn-lint (the AWS linter, with the resource schemas)',
  { skip: noCfnLint ?? false },
  () => {
    const lint = (path: string) =>
      spawnSync('cfn-lint', ['--regions', 'us-east-1', 'eu-west-1', '--', path], { encoding: 'utf8' });

    test('deploy/aws/stack.yaml has no error and no warning', () => {
      const result = lint(STACK_TEMPLATE);
      assert.equal(result.status, 0, result.stdout + result.stderr);
    });

    test('and cfn-lint does reject a broken copy (a misspelt property, a dangling !Ref)', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'fg-deploy-cfn-'));
      try {
        const broken = (await readFile(STACK_TEMPLATE, 'utf8'))
          .replace('VolumeSize: 8', 'VolumeSise: 8')
          .replace('!Ref HostedZoneId', '!Ref HostedZone');
        await writeFile(join(dir, 'broken.yaml'), broken);
        const result = lint(join(dir, 'broken.yaml'));
        assert.notEqual(result.status, 0);
        assert.match(result.stdout, /VolumeSise/);
        assert.match(result.stdout, /HostedZone\b/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);

describe('CloudFormation template: what it promises', () => {
  let template: Template;
  const resource = (name: string): Resource => {
    const found = template.Resources[name];
    assert.ok(found, `resource ${name}`);
    return found;
  };

  before(async () => {
    template = await readTemplate(STACK_TEMPLATE);
  });

  test('the world reaches 80 and 443 (TCP, and UDP 443 for HTTP/3) and nothing else', () => {
    const rules = resource('WebSecurityGroup').Properties['SecurityGroupIngress'] as Record<string, unknown>[];
    const opened = rules.map(
      (rule) =>
        `${String(rule['IpProtocol'])}/${String(rule['FromPort'])}-${String(rule['ToPort'])} ${String(rule['CidrIp'] ?? rule['CidrIpv6'])}`,
    );
    assert.deepEqual(opened.sort(), [
      'tcp/443-443 0.0.0.0/0',
      'tcp/443-443 ::/0',
      'tcp/80-80 0.0.0.0/0',
      'tcp/80-80 ::/0',
      'udp/443-443 0.0.0.0/0',
      'udp/443-443 ::/0',
    ]);
  });

  test('port 22 exists only with AccessMode ssh, and only from AdminCidr', () => {
    const ssh = resource('SshIngress');
    assert.equal(ssh.Condition, 'UseSsh');
    assert.deepEqual(template.Conditions['UseSsh'], { 'Fn::Equals': [{ Ref: 'AccessMode' }, 'ssh'] });
    assert.deepEqual(
      [ssh.Properties['FromPort'], ssh.Properties['ToPort'], ssh.Properties['CidrIp']],
      [22, 22, { Ref: 'AdminCidr' }],
    );
    const sshRules = Object.values(template.Resources).filter(
      (r) => r.Type.startsWith('AWS::EC2::SecurityGroup') && JSON.stringify(r.Properties).includes('"FromPort":22'),
    );
    assert.equal(sshRules.length, 1);
  });

  test('the instance: IMDSv2 only, encrypted gp3 root volume, fixed-price CPU credits, SSM role only in ssm mode', () => {
    const instance = resource('Instance').Properties;
    const launchTemplate = resource('MetadataOptions').Properties['LaunchTemplateData'] as {
      MetadataOptions: Record<string, unknown>;
    };
    assert.equal(launchTemplate.MetadataOptions['HttpTokens'], 'required');
    assert.deepEqual((instance['LaunchTemplate'] as Record<string, unknown>)['LaunchTemplateId'], {
      Ref: 'MetadataOptions',
    });
    const [root] = instance['BlockDeviceMappings'] as { Ebs: Record<string, unknown> }[];
    assert.deepEqual(root?.Ebs, { VolumeType: 'gp3', VolumeSize: 8, Encrypted: true, DeleteOnTermination: true });
    assert.deepEqual(instance['CreditSpecification'], { CPUCredits: 'standard' });
    assert.equal(resource('InstanceRole').Condition, 'UseSsm');
    assert.deepEqual(resource('InstanceRole').Properties['ManagedPolicyArns'], [
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' },
    ]);
  });

  test('the release bucket is private and TLS-only', () => {
    assert.deepEqual(resource('ReleaseBucket').Properties['PublicAccessBlockConfiguration'], {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = JSON.stringify(resource('ReleaseBucketPolicy').Properties['PolicyDocument']);
    assert.match(policy, /"Effect":"Deny".*"aws:SecureTransport":"false"/);
  });

  test('outputs hold everything fundus-deploy reads back', async () => {
    const cli = await readFile(DEPLOY_CLI, 'utf8');
    const keys = /local keys=\(([^)]+)\)/.exec(cli)?.[1]?.split(' ');
    assert.ok(keys && keys.length > 0);
    for (const key of keys) assert.ok(template.Outputs[key], `output ${key}`);
  });

  test("DomainName's AllowedPattern agrees with the CLI's check on typical names", () => {
    const pattern = new RegExp(template.Parameters['DomainName']?.AllowedPattern ?? '(missing)');
    for (const good of ['grader.example.org', 'a.b.co', 'x-1.example.museum']) assert.match(good, pattern);
    for (const bad of [
      'localhost',
      'Grader.example.org',
      '10.0.0.1',
      'https://grader.example.org',
      'a_b.example.org',
    ]) {
      assert.doesNotMatch(bad, pattern, bad);
    }
  });
});
