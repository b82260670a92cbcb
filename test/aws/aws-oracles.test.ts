import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { type ApiOracleReport, runApiOracle } from '../support/aws-oracles/api-oracle.js';
import { type IamOracleReport, runIamOracle } from '../support/aws-oracles/iam-oracle.js';
import type { IamRequest } from '../support/aws-oracles/iam-requests.js';
import { runOracleFlows } from '../support/aws-oracles/oracle-flows.js';
import {
  ORACLE_ACCOUNT,
  ORACLE_REGION,
  type RolePolicies,
  TemplatePolicies,
} from '../support/aws-oracles/template-policies.js';
import type { SimCall } from '../support/simulated-cloud.js';
import { synthBakeshift } from '../support/synth-bakeshift.js';

/**
 * The AWS oracles (ADR 21): every call the Lambda functions make in the simulated-cloud flows, held against
 * AWS's own published data — IAM against the synthesized template's roles with AWS's authorization reference,
 * requests and responses against AWS's API models. A summary goes to `.bakeshift-oracles.json` for the bench.
 */

const dynamo: LocalDynamoDb = await startLocalDynamoDb();
afterAll(async () => dynamo.close());

let calls: SimCall[] = [];
let roles = new Map<string, RolePolicies>();
let instanceRole = '';
let logGroupOf: (functionName: string) => string = () => '';

/** The Lambda runtime writes each invoked function's logs with its role. */
const runtimeLogs = (functionName: string): IamRequest[] =>
  ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
    action,
    resource: `${logGroupOf(functionName).replace(/:\*$/, '')}:log-stream:2026/11/30/[$LATEST]0123`,
    context: {},
    because: 'the Lambda runtime (function logs)',
  }));

const iamOf = (policies = roles) =>
  runIamOracle(calls, policies, { roleOfInstanceProfile: () => instanceRole }, runtimeLogs);

beforeAll(async () => {
  const { template } = await synthBakeshift({ bundle: false, region: ORACLE_REGION });
  const policies = new TemplatePolicies(template.toJSON() as never, { Artifacts: 'artifacts' });
  calls = await runOracleFlows(dynamo, policies);
  roles = policies.byFunction();
  instanceRole = policies.arnOf(policies.logicalIdOf('AWS::IAM::Role', 'hellostagingInstanceRole'));
  logGroupOf = (functionName) => policies.logGroupArnOf(functionName);
}, 180_000);

describe('IAM oracle: the synthesized roles against AWS authorization reference', () => {
  let report: IamOracleReport;
  beforeAll(async () => {
    report = await iamOf();
  });

  it('builds every request as AWS authorizes it (every required resource type, * only where AWS has none)', () => {
    expect(report.callsSimulated).toBeGreaterThan(100);
    expect(report.oracleErrors).toEqual([]);
  });

  it('allows every call each function makes, from its own role', () => {
    expect(report.denials.map((d) => d.message)).toEqual([]);
  });

  it('names the function, call, resource and permission when a statement is missing', async () => {
    const broken = new Map(
      [...roles].map(([name, role]) => [
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
    const denied = (await iamOf(broken)).denials;
    expect(denied).toContainEqual(
      expect.objectContaining({
        functionName: 'LaunchGreen',
        call: 'autoscaling:CreateAutoScalingGroup',
        action: 'ec2:CreateTags',
        resource: `arn:aws:ec2:${ORACLE_REGION}:${ORACLE_ACCOUNT}:instance/*`,
      }),
    );
    expect(denied[0]?.message).toMatch(/^\w+ \(role \w+\) is denied [\w:]+ on arn:aws:\S+ for \S+/);
  });

  it('reports what the flows leave unchecked (statements no call used, functions never invoked)', () => {
    writeSummary({ iam: report });
    // Listed, never hidden: least privilege per function is only as proven as this list is short.
    expect(report.unusedStatements.every((s) => /^\w+: [\w-]+\/\w+$/.test(s))).toBe(true);
  });
});

describe('API oracle: requests and responses against AWS API models', () => {
  let report: ApiOracleReport;
  beforeAll(() => {
    report = runApiOracle(calls);
  });

  it('validates every request the adapters send and every response the simulated cloud gives', () => {
    expect(report.requestsValidated).toBeGreaterThan(100);
    expect(report.responsesValidated).toBeGreaterThan(100);
    expect(report.invalid).toEqual([]);
    writeSummary({ api: report });
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

const summary: { iam?: IamOracleReport; api?: ApiOracleReport } = {};
/** The line `npm run bench -- --json` reports as awsOracles. */
function writeSummary(part: typeof summary) {
  Object.assign(summary, part);
  const { iam, api } = summary;
  const line = [
    iam
      ? `iam: ${iam.requestsSimulated} requests from ${iam.callsSimulated} calls simulated, ${iam.denials.length} denied, ${iam.unusedStatements.length} unused statements`
      : undefined,
    api
      ? `api: ${api.requestsValidated} requests and ${api.responsesValidated} responses validated, ${api.invalid.length} invalid`
      : undefined,
  ]
    .filter(Boolean)
    .join('; ');
  writeFileSync(
    new URL('../../.bakeshift-oracles.json', import.meta.url),
    JSON.stringify({ line, iam: iam && { ...iam, denials: iam.denials.length }, api }, null, 1),
  );
  console.log(`AWS oracles: ${line}`);
}
