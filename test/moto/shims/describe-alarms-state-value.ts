import { jsonBody } from '../support/moto-front.js';
import type { MotoShim } from './index.js';

interface Alarm {
  StateValue?: string;
}

/** DescribeAlarms with AlarmNames and StateValue: moto answers every named alarm, so the answer is filtered. */
export const describeAlarmsStateValue: MotoShim = {
  operation: 'monitoring:DescribeAlarms',
  moto: {
    source:
      'moto/cloudwatch/responses.py:139-142 (an if/elif chain: with AlarmNames, get_alarms_by_alarm_names; StateValue is read only when no other filter is given)',
    does: 'StateValue is ignored when AlarmNames is given: an alarm in OK is answered as if it were in ALARM',
  },
  aws: {
    reference: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html',
    says: 'StateValue: Specify this parameter to receive information only about alarms that are currently in the state that you specify.',
  },
  layer: async (call, next) => {
    if (call.service !== 'monitoring' || call.action !== 'DescribeAlarms') return next(call);
    const { StateValue, AlarmNames } = jsonBody<{ StateValue?: string; AlarmNames?: string[] }>(call);
    const answer = await next(call);
    if (answer.status !== 200 || !StateValue || !AlarmNames?.length) return answer;
    const body = JSON.parse(answer.body.toString('utf8')) as {
      MetricAlarms?: Alarm[];
      CompositeAlarms?: Alarm[];
    };
    for (const key of ['MetricAlarms', 'CompositeAlarms'] as const)
      if (body[key]) body[key] = body[key].filter((a) => a.StateValue === StateValue);
    return { ...answer, body: Buffer.from(JSON.stringify(body), 'utf8') };
  },
};
