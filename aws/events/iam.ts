import type { IamStatement } from '../commons/iam-statement.js';

/** What announcing on EventBridge needs. `${EventBusArn}` is filled by the CDK app. */
export const EVENTBRIDGE_NOTIFIER_IAM: IamStatement[] = [
  {
    sid: 'AnnounceOnTheBus',
    actions: ['events:PutEvents'],
    resources: ['${EventBusArn}'],
    // events:source is multivalued (ArrayOfString in the Service Authorization Reference): a set operator.
    conditions: { 'ForAllValues:StringEquals': { 'events:source': 'bakeshift' } },
    why: 'deployment transitions are published on the one bus, with source bakeshift',
  },
];
