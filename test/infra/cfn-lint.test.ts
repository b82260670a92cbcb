import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CFN_LINT_REASONS } from '../../infra/cfn-lint-ignores.js';
import { EXAMPLE_SERVICES, synthBakeshift } from '../support/synth-bakeshift.js';

/**
 * cfn-lint, AWS's CloudFormation linter on CloudFormation's own resource schemas (E: CloudFormation would refuse
 * the template; W: advisory), over every shape of template bakeshift synthesizes: the example app as `cdk synth`
 * makes it (a new VPC, every environment created), and an existing VPC with an adopted environment. One cfn-lint
 * process lints them all, with a small deliberately broken template that shows the linter really looks.
 */

type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };
interface Finding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Message: string;
  Location: { Path: (string | number)[] };
}

const REGION = 'eu-west-1';
const EXISTING_VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidrBlock: '10.1.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  publicSubnetIds: ['subnet-0a00000000000000a', 'subnet-0b00000000000000b'],
  isolatedSubnetIds: ['subnet-0c00000000000000c', 'subnet-0d00000000000000d'],
};
const ADOPTED = {
  listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/main',
  previewListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/preview',
  previewUrl: 'https://preview.example.com',
  targetGroupArns: [
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-a/1',
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-b/2',
  ],
  securityGroupIds: ['sg-0a'],
  instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/web',
  instanceRoleArn: 'arn:aws:iam::123456789012:role/web',
};

/** cfn-lint is a Python tool: a machine without it fails here at once, saying how to get it. */
function cfnLintVersion(): string {
  try {
    return execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(`cfn-lint is not installed (${(error as Error).message}): pip install cfn-lint`);
  }
}

const readTemplate = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Template;
const line = (f: Finding) =>
  `${f.Filename.split('/').at(-2)} ${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`;

let templates: { example: string; adopting: string; broken: string };
let findings: Finding[];
beforeAll(async () => {
  cfnLintVersion();
  const example = join(
    (await synthBakeshift({ bundle: false, region: REGION })).outdir,
    'bakeshift.template.json',
  );
  const services = mkdtempSync(join(tmpdir(), 'bakeshift-services-'));
  cpSync(EXAMPLE_SERVICES, services, { recursive: true });
  writeFileSync(
    join(services, 'hello.aws.json'),
    JSON.stringify({ environments: { prod: { adopt: ADOPTED } } }),
  );
  const adopting = join(
    (await synthBakeshift({ bundle: false, region: REGION, servicesDir: services, vpc: EXISTING_VPC }))
      .outdir,
    'bakeshift.template.json',
  );
  // What cfn-lint must catch, in a template of its own: a tagged listener, a function's redundant DependsOn.
  const broken: Template = {
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
        },
      },
      Function: {
        Type: 'AWS::Lambda::Function',
        DependsOn: ['Role'],
        Properties: {
          Code: { ZipFile: 'exports.handler = async () => ({})' },
          Handler: 'index.handler',
          Runtime: 'nodejs22.x',
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        },
      },
      Listener: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          LoadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123',
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: [
            { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain' } },
          ],
          Tags: [{ Key: 'managed-by', Value: 'bakeshift' }],
        },
      },
    },
  } as Template;
  const brokenDir = mkdtempSync(join(tmpdir(), 'bakeshift-broken-'));
  writeFileSync(join(brokenDir, 'bakeshift.template.json'), JSON.stringify(broken));
  templates = { example, adopting, broken: join(brokenDir, 'bakeshift.template.json') };

  const run = spawnSync(
    'cfn-lint',
    ['--format', 'json', '--regions', REGION, '--', templates.example, templates.adopting, templates.broken],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  // Its exit code says which levels it found (a bit each); its findings are the JSON it prints.
  if (run.error || !run.stdout.trim().startsWith('['))
    throw new Error(`cfn-lint did not lint: ${run.error?.message ?? ''} ${run.stderr}`);
  findings = JSON.parse(run.stdout) as Finding[];
}, 300_000);

const of = (template: string, level: Finding['Level']) =>
  findings.filter((f) => f.Filename === template && f.Level === level).map(line);

describe('cfn-lint over every template bakeshift synthesizes', () => {
  it('finds nothing CloudFormation would refuse', () => {
    expect(of(templates.example, 'Error')).toEqual([]);
    expect(of(templates.adopting, 'Error')).toEqual([]);
  });

  it('finds no warning but those skipped on their resource, each with its reason in the template', () => {
    expect(of(templates.example, 'Warning')).toEqual([]);
    expect(of(templates.adopting, 'Warning')).toEqual([]);
    for (const template of [templates.example, templates.adopting]) {
      for (const [id, resource] of Object.entries(readTemplate(template).Resources)) {
        const metadata = resource.Metadata ?? {};
        const skipped = (metadata['cfn-lint'] as { config?: { ignore_checks?: string[] } } | undefined)
          ?.config?.ignore_checks;
        const reasons = (metadata['cfn-lint-reasons'] ?? {}) as Record<string, string>;
        for (const check of skipped ?? []) {
          expect(`${id} ${check}: ${reasons[check] ?? 'no reason'}`).toBe(
            `${id} ${check}: ${CFN_LINT_REASONS[check as keyof typeof CFN_LINT_REASONS]}`,
          );
        }
      }
    }
  });

  it('really lints: a tagged listener is refused (E3002), a redundant DependsOn warns (W3005)', () => {
    expect(of(templates.broken, 'Error')).toEqual([
      expect.stringMatching(/E3002 Resources\/Listener\/Properties\/Tags: .*'Tags' was unexpected/),
    ]);
    expect(of(templates.broken, 'Warning')).toEqual([
      expect.stringMatching(/W3005 Resources\/Function\/DependsOn\/0: 'Role' dependency already enforced/),
    ]);
  });
});
