import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsToFetch } from '../../aws/fleets/instance-secrets.js';
import { runIamOracle } from '../support/aws-oracles/iam-oracle.js';
import type { IamRequest } from '../support/aws-oracles/iam-requests.js';
import { ORACLE_ACCOUNT, ORACLE_REGION, TemplatePolicies } from '../support/aws-oracles/template-policies.js';
import { EXAMPLE_SERVICES, synthBakeshift } from '../support/synth-bakeshift.js';

/**
 * The instance role may read exactly the secrets its environment names, held by the IAM oracle: the requests are
 * those fetch-secrets.py makes, from the spec the product writes into the user data, simulated against the
 * synthesized role (@cloud-copilot/iam-simulate over AWS's Service Authorization Reference).
 */

const SECRETS = {
  DB_PASSWORD: '/hello/prod/db-password',
  PLAIN: 'hello-prod-plain',
  SHARED_TOKEN: `arn:aws:ssm:${ORACLE_REGION}:${ORACLE_ACCOUNT}:parameter/shared/token`,
  API_KEY: `arn:aws:secretsmanager:${ORACLE_REGION}:${ORACLE_ACCOUNT}:secret:hello/api-key-AbC123`,
};
let dir = '';

async function servicesWith(secrets: Record<string, string>, aws?: unknown): Promise<string> {
  const services = await mkdtemp(join(dir, 'services-'));
  const config = JSON.parse(await readFile(join(EXAMPLE_SERVICES, 'hello.json'), 'utf8'));
  config.environments.prod.secrets = secrets;
  await writeFile(join(services, 'hello.json'), JSON.stringify(config));
  if (aws) await writeFile(join(services, 'hello.aws.json'), JSON.stringify(aws));
  return services;
}

/** What fetch-secrets.py asks AWS to authorize, for each secret of the spec the user data carries. */
function fetcherRequests(secrets: Record<string, string>): IamRequest[] {
  return secretsToFetch(secrets, ORACLE_REGION).map((secret) => ({
    action: secret.service === 'ssm' ? 'ssm:GetParameter' : 'secretsmanager:GetSecretValue',
    resource:
      secret.service === 'ssm' && !secret.id.startsWith('arn:')
        ? `arn:aws:ssm:${secret.region}:${ORACLE_ACCOUNT}:parameter/${secret.id.replace(/^\//, '')}`
        : secret.id,
    context: {},
    because: `fetch-secrets.py reading ${secret.name}`,
  }));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'instance-secrets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the instance role reads exactly the secrets its environment names', () => {
  it('held by the IAM oracle: every read the fetcher makes is allowed, every statement used, any other secret denied', async () => {
    const { template } = await synthBakeshift({
      bundle: false,
      region: ORACLE_REGION,
      servicesDir: await servicesWith(SECRETS),
    });
    const policies = new TemplatePolicies(template.toJSON() as never);
    const instances = policies.serviceRoleRequests().filter((s) => s.role.startsWith('Instances '));
    const prod = instances.find((s) => s.role.includes('helloprod'));
    expect(prod).toBeDefined();
    const oracle = (extra: IamRequest[]) =>
      runIamOracle(
        [],
        new Map(instances.map((s) => [s.role, s.policies])),
        { roleOfInstanceProfile: () => '' },
        undefined,
        instances.map((s) => ({
          role: s.role,
          requests: s === prod ? [...s.requests, ...fetcherRequests(SECRETS), ...extra] : s.requests,
        })),
      );

    const report = await oracle([]);
    expect(report.oracleErrors).toEqual([]);
    expect(report.denials).toEqual([]);
    expect(report.unusedStatements).toEqual([]);
    expect(report.requestsSimulated).toBe(2 * 2 + 4);

    const others = await oracle(
      fetcherRequests({
        OTHER: '/hello/prod/other',
        STAGING: '/hello/staging/db-password',
        OTHER_SECRET: `arn:aws:secretsmanager:${ORACLE_REGION}:${ORACLE_ACCOUNT}:secret:hello/api-key-ZzZ999`,
      }),
    );
    expect(others.denials.map((d) => d.resource)).toEqual([
      `arn:aws:ssm:${ORACLE_REGION}:${ORACLE_ACCOUNT}:parameter/hello/prod/other`,
      `arn:aws:ssm:${ORACLE_REGION}:${ORACLE_ACCOUNT}:parameter/hello/staging/db-password`,
      `arn:aws:secretsmanager:${ORACLE_REGION}:${ORACLE_ACCOUNT}:secret:hello/api-key-ZzZ999`,
    ]);
  }, 120_000);

  it('instances in the isolated subnets reach SSM and Secrets Manager through interface endpoints, only when secrets use them', async () => {
    const endpoints = async (secrets: Record<string, string>) => {
      const { template } = await synthBakeshift({ bundle: false, servicesDir: await servicesWith(secrets) });
      return Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
        .map((r) => JSON.stringify(r.Properties.ServiceName))
        .map((name) => /\.(s3|ssm|secretsmanager)"(\]\]\})?$/.exec(name)?.[1] ?? name)
        .sort();
    };
    expect(await endpoints({})).toEqual(['s3']);
    expect(await endpoints(SECRETS)).toEqual(['s3', 'secretsmanager', 'ssm']);
  }, 120_000);

  it('an adopted instance role gets a policy of its own for exactly its secrets', async () => {
    const adopt = {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/2',
      previewListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/3',
      previewUrl: 'http://internal:8080',
      targetGroupArns: [
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/a/1',
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/2',
      ],
      securityGroupIds: ['sg-0123456789abcdef0'],
      instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/web',
      instanceRoleArn: 'arn:aws:iam::123456789012:role/apps/web-instances',
    };
    const { template } = await synthBakeshift({
      bundle: false,
      servicesDir: await servicesWith({ API_KEY: SECRETS.API_KEY }, { environments: { prod: { adopt } } }),
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes('web-instances'),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Roles).toEqual(['web-instances']);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ReadItsSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: SECRETS.API_KEY,
      },
    ]);
  }, 120_000);
});
