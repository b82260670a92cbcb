import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { queryParams } from '../support/moto-front.js';
import { motoClientConfig } from '../support/stack-in-moto.js';
import type { MotoShim } from './index.js';

/** A deleted group's instances: terminated by moto but left registered (and healthy) in its target groups. */
export const deletedGroupInstances = (motoEndpoint: string): MotoShim => ({
  operation: 'autoscaling:DeleteAutoScalingGroup',
  moto: {
    source:
      "moto/autoscaling/models.py:1496-1503 (delete_auto_scaling_group sets the capacity to 0 and drops the group; its instances are never deregistered from the group's target groups)",
    does: 'the instances of a deleted group stay registered with its target groups and DescribeTargetHealth says healthy',
  },
  aws: {
    reference: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteAutoScalingGroup.html',
    says: 'If the group has instances or scaling activities in progress, you must specify the option to force the deletion in order for it to succeed. The force delete operation will also terminate the EC2 instances.',
  },
  layer: async (call, next) => {
    if (call.service !== 'autoscaling' || call.action !== 'DeleteAutoScalingGroup') return next(call);
    const config = motoClientConfig(motoEndpoint);
    const name = queryParams(call).get('AutoScalingGroupName') ?? '';
    const { AutoScalingGroups = [] } = await new AutoScalingClient(config).send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
    );
    const answer = await next(call);
    const group = AutoScalingGroups[0];
    if (answer.status !== 200 || !group) return answer;
    const instances = new Set((group.Instances ?? []).map((i) => i.InstanceId ?? ''));
    const elb = new ElasticLoadBalancingV2Client(config);
    // Its instances still registered (one taken out by hand is not) leave its target groups.
    for (const TargetGroupArn of group.TargetGroupARNs ?? []) {
      const { TargetHealthDescriptions = [] } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn }),
      );
      const Targets = TargetHealthDescriptions.flatMap((d) =>
        d.Target?.Id && instances.has(d.Target.Id) ? [{ Id: d.Target.Id }] : [],
      );
      if (Targets.length > 0) await elb.send(new DeregisterTargetsCommand({ TargetGroupArn, Targets }));
    }
    return answer;
  },
});
