import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { queryParams, withQueryParams } from '../support/moto-front.js';
import { motoClientConfig } from '../support/stack-in-moto.js';
import type { MotoShim } from './index.js';

/**
 * UserData of a launch template version: moto keeps it unparsed and then fails every launch from that version
 * (CreateAutoScalingGroup answers 500). moto gets the version without it; the instances a group launches from
 * the version are given it (ModifyInstanceAttribute, which moto parses), as EC2 gives a template's user data.
 */
export const launchTemplateVersionUserData = (motoEndpoint: string): MotoShim => {
  const userDataOf = new Map<string, string>();
  const config = motoClientConfig(motoEndpoint);
  return {
    operation: 'ec2:CreateLaunchTemplateVersion (and the launches of autoscaling:CreateAutoScalingGroup)',
    moto: {
      source:
        'moto/ec2/responses/launch_templates.py:65 (create_launch_template_version stores LaunchTemplateData as given; create_launch_template parses UserData at :15-17) and moto/ec2/models/launch_templates.py:62 (an unparsed UserData fails the assertion when a group launches from the version)',
      does: 'a group launching from a version with UserData fails with a 500',
    },
    aws: {
      reference: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html',
      says: 'UserData: The user data to make available to the instance. You must provide base64-encoded text.',
    },
    layer: async (call, next) => {
      if (call.service === 'ec2' && call.action === 'CreateLaunchTemplateVersion') {
        const params = queryParams(call);
        const userData = params.get('LaunchTemplateData.UserData');
        if (!userData) return next(call);
        params.delete('LaunchTemplateData.UserData');
        const answer = await next(withQueryParams(call, params));
        const xml = answer.body.toString('utf8');
        const name = /<launchTemplateName>([^<]+)</.exec(xml)?.[1];
        const version = /<versionNumber>([^<]+)</.exec(xml)?.[1];
        if (answer.status === 200 && name && version) userDataOf.set(`${name}:${version}`, userData);
        return answer;
      }
      if (call.service !== 'autoscaling' || call.action !== 'CreateAutoScalingGroup') return next(call);
      const answer = await next(call);
      const params = queryParams(call);
      const key = `${params.get('LaunchTemplate.LaunchTemplateName')}:${params.get('LaunchTemplate.Version')}`;
      const userData = userDataOf.get(key);
      if (answer.status !== 200 || !userData) return answer;
      const { AutoScalingGroups = [] } = await new AutoScalingClient(config).send(
        new DescribeAutoScalingGroupsCommand({
          AutoScalingGroupNames: [params.get('AutoScalingGroupName') ?? ''],
        }),
      );
      const ec2 = new EC2Client(config);
      for (const instance of AutoScalingGroups[0]?.Instances ?? [])
        await ec2.send(
          new ModifyInstanceAttributeCommand({
            InstanceId: instance.InstanceId,
            // The base64 text itself: moto decodes the blob once, then expects base64 (as EC2 does for this call).
            UserData: { Value: new Uint8Array(Buffer.from(userData, 'utf8')) },
          }),
        );
      return answer;
    },
  };
};
