import { AutoScalingClient, DetachLoadBalancerTargetGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { queryParams, xmlAnswer } from '../support/moto-front.js';
import { motoClientConfig } from '../support/stack-in-moto.js';
import type { MotoShim } from './index.js';

/** DetachTrafficSources (elbv2 sources only): done with DetachLoadBalancerTargetGroups, which moto has. */
export const detachTrafficSources = (motoEndpoint: string): MotoShim => ({
  operation: 'autoscaling:DetachTrafficSources',
  moto: {
    source:
      'moto/autoscaling/responses.py has no detach_traffic_sources (it has detach_load_balancer_target_groups at :209); moto/core/responses.py:563 raises NotImplementedError("The DetachTrafficSources action has not been implemented")',
    does: 'the call fails',
  },
  aws: {
    reference: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DetachTrafficSources.html',
    says: 'Detaches one or more traffic sources from the specified Auto Scaling group. When you detach a traffic source, it enters the Removing state while deregistering the instances in the group.',
  },
  layer: async (call, next) => {
    if (call.service !== 'autoscaling' || call.action !== 'DetachTrafficSources') return next(call);
    const params = queryParams(call);
    const sources = [...params.entries()].filter(([k]) =>
      /^TrafficSources\.member\.\d+\.Identifier$/.test(k),
    );
    const types = [...params.entries()].filter(([k]) => /^TrafficSources\.member\.\d+\.Type$/.test(k));
    if (types.some(([, t]) => t !== 'elbv2'))
      throw new Error('the DetachTrafficSources shim handles elbv2 target groups only');
    await new AutoScalingClient(motoClientConfig(motoEndpoint)).send(
      new DetachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: params.get('AutoScalingGroupName') ?? '',
        TargetGroupARNs: sources.map(([, arn]) => arn),
      }),
    );
    return xmlAnswer(
      200,
      '<DetachTrafficSourcesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DetachTrafficSourcesResult/><ResponseMetadata><RequestId>shim</RequestId></ResponseMetadata></DetachTrafficSourcesResponse>',
    );
  },
});
