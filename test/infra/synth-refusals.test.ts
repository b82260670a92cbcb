import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { loadServices } from '../../infra/load-services.js';
import { EXAMPLE_SERVICES, synthBakeshift } from '../support/synth-bakeshift.js';

interface ServiceJson {
  service: string;
  environments: Record<
    'staging' | 'prod',
    { healthCheck: Record<string, number>; capacity: Record<string, number> }
  >;
}

/** A copy of infra/services with `<file>` edited (or replaced by what `edit` returns). */
function servicesWith(file: string, edit: (json: ServiceJson) => unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'bakeshift-services-'));
  cpSync(EXAMPLE_SERVICES, dir, { recursive: true });
  const path = join(dir, file);
  let json = {} as ServiceJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {}
  writeFileSync(path, JSON.stringify(edit(json) ?? json));
  return dir;
}

describe('cdk synth refuses, naming what is wrong, before anything is deployed', () => {
  it('a wildcard permission nobody explained fails cdk-nag', async () => {
    await expect(
      synthBakeshift({
        bundle: false,
        extend: (stack) => {
          const role = new Role(stack, 'Unexplained', {
            assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
          });
          role.addToPolicy(
            new PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::some-bucket/*'] }),
          );
        },
      }),
    ).rejects.toThrow(/AwsSolutions-IAM5\[Resource::arn:aws:s3:::some-bucket\/\*\]/);
  });

  it('a health check an ALB cannot run: the file, the field and the range', async () => {
    const dir = servicesWith('hello.json', (json) => {
      json.environments.staging.healthCheck.intervalSeconds = 2;
      json.environments.staging.healthCheck.timeoutSeconds = 1;
    });
    await expect(loadServices(dir)).rejects.toThrow(
      `${join(dir, 'hello.json')}: environments.staging.healthCheck.intervalSeconds: 2 is outside what an ALB accepts (5-300)`,
    );
  });

  it('an invalid service configuration: the file and the field', async () => {
    const dir = servicesWith('hello.json', (json) => {
      json.environments.prod.capacity.desired = 0;
    });
    await expect(loadServices(dir)).rejects.toThrow(/hello\.json.*environments\.prod\.capacity\.desired/);
  });

  it('AWS options for an environment the service does not have', async () => {
    const dir = servicesWith('hello.aws.json', () => ({ environments: { qa: {} } }));
    await expect(loadServices(dir)).rejects.toThrow(
      `${join(dir, 'hello.aws.json')}: environments.qa: not an environment of`,
    );
  });

  it('`cdk synth` (infra/app.ts) exits 1 with the reason and no stack trace', () => {
    const dir = servicesWith('hello.json', (json) => {
      json.environments.prod.capacity.desired = 0;
    });
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, AWS_REGION: 'eu-west-1', CDK_CONTEXT_JSON: JSON.stringify({ services: dir }) },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('bakeshift: nothing synthesized, nothing deployed:');
    expect(run.stderr).toContain(`${join(dir, 'hello.json')}: environments.prod.capacity.desired`);
    expect(run.stderr).not.toContain('    at ');
  });

  it('a log retention CloudWatch Logs does not offer is refused, naming the context value', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        AWS_REGION: 'eu-west-1',
        CDK_CONTEXT_JSON: JSON.stringify({ logRetentionDays: 42 }),
      },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'bakeshift: context logRetentionDays: 42 is no CloudWatch Logs retention (one of',
    );
  });

  it('a configuration whose service name is not its file name', async () => {
    const dir = servicesWith('hello.json', (json) => {
      json.service = 'other';
    });
    await expect(loadServices(dir)).rejects.toThrow(/hello\.json: service: "other" must match the file name/);
  });
});

describe('adopting an environment', () => {
  it('writes the given ARNs, creates no load balancer for it, and lets the fleets pass its instance role', async () => {
    const adopt = {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/main',
      previewListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/preview',
      previewUrl: 'https://preview.example.com',
      targetGroupArns: [
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-a/1',
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-b/2',
      ],
      subnetIds: ['subnet-0a'],
      securityGroupIds: ['sg-0a'],
      instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/web',
      instanceRoleArn: 'arn:aws:iam::123456789012:role/web',
    };
    const dir = servicesWith('hello.aws.json', () => ({ environments: { prod: { adopt } } }));
    const { template } = await synthBakeshift({ bundle: false, servicesDir: dir });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    const parameters = Object.values(template.findResources('AWS::SSM::Parameter'));
    const prod = parameters.find((p) => p.Properties.Name === '/bakeshift/services/hello/prod');
    expect(JSON.stringify(prod?.Properties.Value)).toContain(adopt.listenerArn);
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(adopt.instanceRoleArn);
    // Its listeners are modified by ARN: nothing asks the user to tag them.
    expect(policies).toContain(adopt.listenerArn);
    expect(policies).toContain(adopt.previewListenerArn);
  });
});
