import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { runApiOracle } from '../support/aws-oracles/api-oracle.js';
import { type AwsOracles, runAwsOracles } from '../support/aws-oracles/run-aws-oracles.js';
import { ORACLE_ACCOUNT, ORACLE_REGION } from '../support/aws-oracles/template-policies.js';

/**
 * The AWS oracles (ADR 21): every call every Lambda function makes in the oracle flows, held against AWS's own
 * published data — IAM against the synthesized template's roles with AWS's Service Authorization Reference,
 * requests and responses against AWS's API models.
 */

const dynamo: LocalDynamoDb = await startLocalDynamoDb();
afterAll(async () => dynamo.close());

let oracles: AwsOracles;
beforeAll(async () => {
  oracles = await runAwsOracles(dynamo);
  console.log(`AWS oracles: ${oracles.summary}`);
}, 300_000);

describe("IAM oracle: the synthesized roles against AWS's authorization reference", () => {
  it('builds every request as AWS authorizes it (every required resource type, * only where AWS has none)', () => {
    expect(oracles.iam.callsSimulated).toBeGreaterThan(1000);
    expect(oracles.iam.oracleErrors).toEqual([]);
  });

  it('allows every call each function makes, from its own role', () => {
    expect(oracles.iam.denials.map((d) => d.message)).toEqual([]);
  });

  it('uses every statement of every role, and invokes every function (least privilege)', () => {
    expect(oracles.iam.unusedStatements).toEqual([]);
    expect(oracles.iam.functionsNotExercised).toEqual([]);
  });

  it('names the function, call, resource and permission when a statement is missing', async () => {
    const withoutTagging = new Map(
      [...oracles.roles].map(([name, role]) => [
        name,
        {
          ...role,
          policies: role.policies.map((p) => ({
            ...p,
            document: {
              ...p.document,
              Statement: p.document.Statement.filter(
                (s) => s.Sid !== 'TagLaunchTemplatesAndInstancesOnCreate',
              ),
            },
          })),
        },
      ]),
    );
    const { denials } = await oracles.iamWith(withoutTagging);
    expect(denials).toContainEqual(
      expect.objectContaining({
        functionName: 'LaunchGreen',
        call: 'autoscaling:CreateAutoScalingGroup',
        action: 'ec2:CreateTags',
        resource: `arn:aws:ec2:${ORACLE_REGION}:${ORACLE_ACCOUNT}:instance/*`,
      }),
    );
    expect(denials[0]?.message).toMatch(/^\w+ \(role \w+\) is denied [\w:]+ on arn:aws:\S+ for \S+/);
  });
});

describe("IAM oracle: the operator's managed policies (viewer, deployer, approver)", () => {
  /** The denials when one kind of person's calls are made with another kind's policy. */
  const deniedWith = async (kind: string, policyOf: string) => {
    const roles = new Map(oracles.roles);
    roles.set(kind, oracles.roles.get(policyOf) as never);
    const { denials } = await oracles.iamWith(roles);
    return [...new Set(denials.filter((d) => d.functionName === kind).map((d) => d.action))].sort();
  };

  it('each kind of person ran its commands through the CLI, every call allowed, every statement used', () => {
    const kinds = new Set(oracles.calls.map((c) => c.functionName));
    for (const kind of ['Viewer', 'Deployer', 'Approver']) expect(kinds).toContain(kind);
    expect(oracles.iam.denials).toEqual([]);
    expect(oracles.iam.unusedStatements).toEqual([]);
  });

  it('and nothing more: a viewer cannot deploy or decide, a deployer cannot decide, an approver cannot deploy', async () => {
    expect(await deniedWith('Deployer', 'Viewer')).toEqual([
      'elasticloadbalancing:DescribeTargetHealth',
      'lambda:InvokeFunction',
      's3:PutObject',
      'states:StartExecution',
    ]);
    expect(await deniedWith('Approver', 'Viewer')).toEqual([
      'lambda:InvokeFunction',
      'lambda:InvokeFunctionUrl',
    ]);
    expect(await deniedWith('Approver', 'Deployer')).toEqual([
      'lambda:InvokeFunction',
      'lambda:InvokeFunctionUrl',
    ]);
    expect(await deniedWith('Deployer', 'Approver')).toEqual([
      'elasticloadbalancing:DescribeTargetHealth',
      'lambda:InvokeFunction',
      's3:PutObject',
      'states:StartExecution',
    ]);
  }, 60_000);
});

describe("API oracle: requests, responses and errors against botocore's full API models", () => {
  it('validates every request the adapters send and every response and error the simulated cloud gives', () => {
    expect(oracles.api.models).toMatch(/^botocore \d+\.\d+/);
    expect(oracles.api.requestsValidated).toBeGreaterThan(1000);
    expect(oracles.api.responsesValidated).toBeGreaterThan(500);
    expect(oracles.api.errorsChecked).toBeGreaterThan(50);
    expect(oracles.api.invalid).toEqual([]);
    expect(oracles.api.unchecked).toEqual([]);
  });

  it('fails what only the full models bound: a length, an enum value, a pattern (over code points)', () => {
    const broken = runApiOracle([
      {
        service: 'secretsmanager',
        name: 'GetSecretValue',
        input: { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf' },
        output: { ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf', VersionId: 'v1' },
        functionName: 'AnnounceOutcome',
      },
      {
        service: 'ec2',
        name: 'RunInstances',
        input: { ImageId: 'ami-1', MinCount: 1, MaxCount: 1, InstanceType: 't3.enormous' },
        functionName: 'BakeImage',
      },
      { service: 'logs', name: 'FilterLogEvents', input: { logGroupName: '***' }, functionName: 'Viewer' },
    ]);
    const found = broken.invalid.join('\n');
    expect(found).toMatch(
      /AnnounceOutcome secretsmanager:GetSecretValue response: .*length >= 32.*VersionId/,
    );
    expect(found).toMatch(/BakeImage ec2:RunInstances request: .*t3\.enormous.*InstanceType/);
    expect(found).toMatch(
      /Viewer logs:FilterLogEvents request: .*does not match regex pattern.*logGroupName/,
    );
    // Auto Scaling's strings allow U+0020 to U+10FFFF, written over UTF-16 surrogates: read as code points.
    expect(
      runApiOracle([
        {
          service: 'autoscaling',
          name: 'DescribeAutoScalingGroups',
          input: { AutoScalingGroupNames: ['bakeshift-web-\u{1F680}'] },
          functionName: 'DestroyGreen',
        },
      ]).invalid,
    ).toEqual([]);
  });

  it('fails an error the operation cannot raise, under the name the SDK gives it', () => {
    const call = (error: string) => ({
      service: 'elasticloadbalancing',
      name: 'ModifyListener',
      input: { ListenerArn: 'arn', DefaultActions: [{ Type: 'forward', TargetGroupArn: 'arn' }] },
      error,
      functionName: 'ShiftTraffic',
    });
    // ELB's code is ListenerNotFound; the SDK names the error after its shape, ListenerNotFoundException.
    const { invalid, errorsChecked } = runApiOracle([
      call('ListenerNotFound'),
      call('ListenerNotFoundException'),
    ]);
    expect(errorsChecked).toBe(2);
    expect(invalid).toEqual([
      expect.stringMatching(
        /^ShiftTraffic elasticloadbalancing:ModifyListener error: ListenerNotFound is not an error AWS's model lists for ModifyListener \(it lists: .*ListenerNotFoundException/,
      ),
    ]);
  });

  it('fails a request AWS would refuse, naming the function, the operation and the field', () => {
    const broken = runApiOracle([
      {
        service: 'ec2',
        name: 'RunInstances',
        input: { ImageId: 'ami-1', MinCount: 1 },
        functionName: 'BakeImage',
      },
      {
        service: 'elasticloadbalancing',
        name: 'ModifyListener',
        input: { ListenerArn: 'arn', DefaultActions: [{ Type: 'forward', Weight: 10 }] },
        functionName: 'ShiftTraffic',
      },
    ]);
    expect(broken.invalid.join('\n')).toMatch(/BakeImage ec2:RunInstances request: .*MaxCount/);
    expect(broken.invalid.join('\n')).toMatch(
      /ShiftTraffic elasticloadbalancing:ModifyListener request: .*Weight/,
    );
  });

  it('fails a response AWS would never send', () => {
    const broken = runApiOracle([
      {
        service: 'elasticloadbalancing',
        name: 'DescribeTargetHealth',
        input: { TargetGroupArn: 'arn' },
        output: { TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy', Since: 'a while' } }] },
        functionName: 'AwaitGreenHealthy',
      },
    ]);
    expect(broken.invalid.join('\n')).toMatch(
      /AwaitGreenHealthy elasticloadbalancing:DescribeTargetHealth response: .*Since/,
    );
  });
});
