import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsArns, awsWorld } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

let dynamo: LocalDynamoDb;
let cloud: SimulatedCloud | undefined;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(async () => {
  await dynamo.close();
});
afterEach(() => {
  cloud?.detach();
});

describe('deployments with the AWS adapters over the simulated cloud', () => {
  it('bakes an AMI without SSH, launches an Auto Scaling group and shifts the ALB, then reaps blue', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    const v1 = await world.deploy({ version: '1.0.0' });
    expect(v1.outcome).toMatchObject({ status: 'SUCCEEDED' });
    const v2 = await world.deploy({ version: '2.0.0' });
    expect(v2.outcome).toMatchObject({ status: 'SUCCEEDED' });

    const arns = awsArns('staging');
    const [builder] = cloud.inputsOf('RunInstances');
    expect(builder).toMatchObject({
      ImageId: 'ami-base',
      MetadataOptions: { HttpTokens: 'required' },
      BlockDeviceMappings: [{ Ebs: { Encrypted: true } }],
      SecurityGroupIds: ['sg-builder-no-inbound'],
      InstanceInitiatedShutdownBehavior: 'stop',
    });
    expect(builder).not.toHaveProperty('KeyName');
    expect(builder).not.toHaveProperty('IamInstanceProfile');
    expect(builder.TagSpecifications[0].Tags).toEqual(
      expect.arrayContaining([
        { Key: 'managed-by', Value: 'bakeshift' },
        { Key: 'bakeshift:role', Value: 'builder' },
      ]),
    );
    expect(cloud.liveInstances('builder').filter((i) => i.state !== 'shutting-down')).toEqual([]);

    const images = cloud.inputsOf('CreateImage');
    expect(images[0].TagSpecifications.map((t: { ResourceType: string }) => t.ResourceType)).toEqual([
      'image',
      'snapshot',
    ]);
    expect(images[0].TagSpecifications[0].Tags).toEqual(
      expect.arrayContaining([{ Key: 'bakeshift:bake-key', Value: v1.record?.bakeKey }]),
    );

    const [, template] = cloud.inputsOf('CreateLaunchTemplateVersion');
    expect(template.LaunchTemplateData).toMatchObject({
      MetadataOptions: { HttpTokens: 'required' },
      BlockDeviceMappings: [{ Ebs: { Encrypted: true } }],
      IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/bakeshift-web' },
    });
    const groups = cloud.inputsOf('CreateAutoScalingGroup');
    expect(groups.map((g) => g.TargetGroupARNs[0])).toEqual(arns.targetGroupArns);
    expect(groups[1]).toMatchObject({ HealthCheckType: 'ELB', MinSize: 1, DesiredCapacity: 2, MaxSize: 4 });

    expect(cloud.forwardWeights(arns.listenerArn)).toEqual({ [arns.targetGroupArns[1]]: 100 });
    expect([...cloud.groups.values()].map((g) => g.name)).toEqual([
      expect.stringContaining('bakeshift-web-staging-2.0.0-'),
    ]);
    expect(cloud.inputsOf('DetachTrafficSources')).toHaveLength(1);
    expect(cloud.inputsOf('UpdateAutoScalingGroup')).toEqual([]);
  });
});
