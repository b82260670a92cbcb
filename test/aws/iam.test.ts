import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EC2_BAKER_IAM, EC2_IMAGE_CATALOG_IAM } from '../../aws/baker/iam.js';
import { STEP_FUNCTIONS_CALLBACKS_IAM } from '../../aws/callbacks/iam.js';
import type { IamStatement } from '../../aws/commons/iam-statement.js';
import { SSM_SERVICE_CONFIGS_IAM } from '../../aws/configs/iam.js';
import { EVENTBRIDGE_NOTIFIER_IAM } from '../../aws/events/iam.js';
import { AUTO_SCALING_FLEETS_IAM } from '../../aws/fleets/iam.js';
import { AWS_JANITOR_IAM } from '../../aws/janitor/iam.js';
import { RELEASE_STORE_IAM } from '../../aws/release-store/iam.js';
import { STEP_FUNCTIONS_STARTER_IAM } from '../../aws/starter/iam.js';
import { ALB_TRAFFIC_IAM, TARGET_GROUP_HEALTH_IAM } from '../../aws/traffic/iam.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsWorld } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

const ALL: [string, IamStatement[]][] = [
  ['EC2 baker', EC2_BAKER_IAM],
  ['EC2 image catalog', EC2_IMAGE_CATALOG_IAM],
  ['AWS janitor', AWS_JANITOR_IAM],
  ['target-group health', TARGET_GROUP_HEALTH_IAM],
  ['SSM service configs', SSM_SERVICE_CONFIGS_IAM],
  ['Step Functions starter', STEP_FUNCTIONS_STARTER_IAM],
  ['EventBridge notifier', EVENTBRIDGE_NOTIFIER_IAM],
  ['Auto Scaling fleets', AUTO_SCALING_FLEETS_IAM],
  ['ALB traffic', ALB_TRAFFIC_IAM],
  ['Step Functions callbacks', STEP_FUNCTIONS_CALLBACKS_IAM],
  ['release store', RELEASE_STORE_IAM],
];
const granted = new Set(ALL.flatMap(([, statements]) => statements.flatMap((s) => s.actions)));

const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => cloud?.detach());
afterAll(async () => dynamo.close());

describe('the IAM each AWS adapter needs', () => {
  it('grants every API action the adapters call: deploys, a compensated one, pruning, reaping', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    for (const version of ['1.0.0', '2.0.0', '3.0.0', '4.0.0', '5.0.0']) {
      expect((await setup.world.deploy({ version })).outcome.status).toBe('SUCCEEDED');
    }
    setup.world.faults.push({ stateName: 'ShiftTraffic', when: 'after' });
    expect((await setup.world.deploy({ version: '6.0.0' })).outcome.status).toBe('FAILED');

    const called = new Set(setup.cloud.calls.map((c) => `${c.service}:${c.name}`));
    expect(called).toContain('ec2:DeregisterImage');
    expect([...called].filter((action) => !granted.has(action))).toEqual([]);
  });

  it.each(ALL)(
    '%s: no wildcard action, and a * resource only for read-only Describe/Get actions, with its reason',
    (_, statements) => {
      for (const statement of statements) {
        for (const action of statement.actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
        if (statement.resources.includes('*')) {
          expect(statement.actions.every((a) => /:(Describe|List|Get)/.test(a))).toBe(true);
          expect(statement.why).toContain('no resource-level permissions');
        }
      }
    },
  );

  it('passes the instance role only to EC2', () => {
    const passRole = AUTO_SCALING_FLEETS_IAM.filter((s) => s.actions.includes('iam:PassRole'));
    expect(passRole).toEqual([
      expect.objectContaining({
        resources: ['${InstanceRoleArn}'],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    ]);
  });
});
