import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsSettings } from '../commons/aws-settings.js';
import { describeInstances } from '../commons/ec2-describe.js';
import { TAG, tagValue } from '../commons/tags.js';
import type { Ec2ImageCatalog } from './ec2-image-catalog.js';

/** An EventBridge event, as far as the bake rules' targets read it. */
export interface BakeEvent {
  source?: string;
  'detail-type'?: string;
  detail?: Record<string, unknown>;
}

/**
 * The bake an EventBridge event is about: the builder's result object, its instance stopping, or its AMI
 * changing state. Undefined for anything else.
 */
export async function bakeIdOfEvent(
  sources: { ec2: EC2Client; settings: AwsSettings; catalog: Ec2ImageCatalog },
  event: BakeEvent,
): Promise<string | undefined> {
  const detail = event.detail ?? {};
  if (event.source === 'aws.s3') {
    const key = String((detail.object as { key?: string } | undefined)?.key ?? '');
    const { bakeResultsPrefix } = await sources.settings.provider();
    return key.startsWith(bakeResultsPrefix) && key.endsWith('.json')
      ? key.slice(bakeResultsPrefix.length, -'.json'.length)
      : undefined;
  }
  if (event['detail-type'] === 'EC2 Instance State-change Notification') {
    const [instance] = await describeInstances(sources.ec2, {
      InstanceIds: [String(detail['instance-id'])],
    });
    return tagValue(instance?.Tags, TAG.bakeId);
  }
  if (event['detail-type'] === 'EC2 AMI State Change') {
    return tagValue((await sources.catalog.getRawImage(String(detail.ImageId)))?.Tags, TAG.bakeId);
  }
  return undefined;
}
