import type { FrontLayer } from '../support/moto-front.js';
import { bucketNotificationEventBridge } from './bucket-notification-eventbridge.js';
import { bucketPolicyConditions } from './bucket-policy-conditions.js';
import { createImageNameInUse } from './create-image-name-in-use.js';
import { createImageSnapshotTags } from './create-image-snapshot-tags.js';
import { deleteLaunchTemplateVersions } from './delete-launch-template-versions.js';
import { deletedGroupInstances } from './deleted-group-instances.js';
import { deregisterImageSnapshots } from './deregister-image-snapshots.js';
import { describeAlarmsStateValue } from './describe-alarms-state-value.js';
import { detachTrafficSources } from './detach-traffic-sources.js';
import { launchTemplateVersionUserData } from './launch-template-version-user-data.js';

/** One gap between moto 5.2.1 and AWS's documentation, stood in for at the HTTP boundary. */
export interface MotoShim {
  /** The AWS operation it is about, e.g. `ec2:CreateImage`. */
  operation: string;
  /** What moto does, with the file and line of moto 5.2.1's source that does it. */
  moto: { source: string; does: string };
  /** The sentence of AWS's API reference the shim restores, and where it is. */
  aws: { reference: string; says: string };
  layer: FrontLayer;
}

/** Every shim (new state for each deployed stack), outermost first. */
export function motoShims(motoEndpoint: string): MotoShim[] {
  return [
    bucketPolicyConditions,
    bucketNotificationEventBridge(),
    createImageNameInUse(motoEndpoint),
    createImageSnapshotTags(motoEndpoint),
    launchTemplateVersionUserData(motoEndpoint),
    deleteLaunchTemplateVersions(),
    detachTrafficSources(motoEndpoint),
    deletedGroupInstances(motoEndpoint),
    describeAlarmsStateValue,
    deregisterImageSnapshots(motoEndpoint),
  ];
}
