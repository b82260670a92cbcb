import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DetachLoadBalancerTargetGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { queryParams, xmlAnswer } from '../support/moto-front.js';
import { motoClientConfig } from '../support/stack-in-moto.js';
import type { MotoShim } from './index.js';

/**
 * DetachTrafficSources (elbv2 sources only), done with DetachLoadBalancerTargetGroups, which moto has. moto's
 * detach deregisters every instance of the group and fails on the first that is not registered (one taken out
 * by hand): those are registered again first, so the detach ends as AWS's does, with none of them registered.
 */
export const detachTrafficSources = (motoEndpoint: string): MotoShim => ({
  operation: 'autoscaling:DetachTrafficSources',
  moto: {
    source:
      'moto/autoscaling/responses.py has no detach_traffic_sources (it has detach_load_balancer_target_groups at :209); moto/core/responses.py:563 raises NotImplementedError("The DetachTrafficSources action has not been implemented"). Its DetachLoadBalancerTargetGroups deregisters every instance of the group (moto/autoscaling/models.py:1814-1816) and raises InvalidTarget on one not registered (moto/elbv2/models.py:199-203)',
    does: 'the call fails',
  },
  aws: {
    reference: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DetachTrafficSources.html',
    says: 'Detaches one or more traffic sources from the specified Auto Scaling group. When you detach a traffic source, it enters the Removing state while deregistering the instances in the group.',
  },
  layer: async (call, next) => {
    if (call.service !== 'autoscaling' || call.action !== 'DetachTrafficSources') return next(call);
    const params = queryParams(call);
    const entries = [...params.entries()];
    if (entries.some(([k, v]) => /^TrafficSources\.member\.\d+\.Type$/.test(k) && v !== 'elbv2'))
      throw new Error('the DetachTrafficSources shim handles elbv2 target groups only');
    const targetGroups = entries
      .filter(([k]) => /^TrafficSources\.member\.\d+\.Identifier$/.test(k))
      .map(([, arn]) => arn);
    const name = params.get('AutoScalingGroupName') ?? '';
    const config = motoClientConfig(motoEndpoint);
    const autoScaling = new AutoScalingClient(config);
    const elb = new ElasticLoadBalancingV2Client(config);
    const { AutoScalingGroups = [] } = await autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
    );
    const instances = (AutoScalingGroups[0]?.Instances ?? []).map((i) => i.InstanceId ?? '');
    for (const TargetGroupArn of targetGroups) {
      const { TargetHealthDescriptions = [] } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn }),
      );
      const registered = new Set(TargetHealthDescriptions.map((d) => d.Target?.Id));
      const out = instances.filter((id) => !registered.has(id));
      if (out.length > 0)
        await elb.send(new RegisterTargetsCommand({ TargetGroupArn, Targets: out.map((Id) => ({ Id })) }));
    }
    await autoScaling.send(
      new DetachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: name,
        TargetGroupARNs: targetGroups,
      }),
    );
    return xmlAnswer(
      200,
      '<DetachTrafficSourcesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DetachTrafficSourcesResult/><ResponseMetadata><RequestId>shim</RequestId></ResponseMetadata></DetachTrafficSourcesResponse>',
    );
  },
});
