import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue, keepFailedInvocations } from '../dead-letters.js';
import type { ServiceDefinition } from '../load-services.js';
import type { BakeshiftFunctions } from './bakeshift-functions.js';

/** The janitor runs after the congruence runs of the night have had time to finish. */
export const JANITOR_SCHEDULE = 'cron(30 5 * * ? *)';

export interface NightlySchedulesProps {
  services: ServiceDefinition[];
  functions: BakeshiftFunctions;
}

/**
 * EventBridge Scheduler: each environment's congruence run at its own cron and time zone, and each service's
 * janitor. The congruence schedule invokes StartCongruenceRun, which reports drift and then starts the
 * execution with the `congruence` trigger (ADR 18). Retries are bounded; what still fails lands in a queue.
 */
export class NightlySchedules extends Construct {
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: NightlySchedulesProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters');
    for (const name of ['StartCongruenceRun', 'RunJanitor'] as const)
      keepFailedInvocations(props.functions.get(name), this.deadLetters);
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'bakeshift: EventBridge Scheduler invokes the congruence and janitor functions',
    });
    const target = (name: 'StartCongruenceRun' | 'RunJanitor', input: Record<string, unknown>) =>
      new LambdaInvoke(props.functions.get(name), {
        role,
        input: ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.deadLetters,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      });

    // CDK grants Scheduler the function and its versions (`<arn>:*`): acknowledged for exactly these two.
    for (const name of ['StartCongruenceRun', 'RunJanitor'] as const) {
      const logicalId = Stack.of(this).getLogicalId(
        props.functions.get(name).node.defaultChild as CfnElement,
      );
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: `Scheduler may invoke ${name} (any version of it) and no other function`,
      });
    }
    for (const { config } of props.services) {
      for (const [environment, env] of Object.entries(config.environments)) {
        if (!env.congruence) continue;
        new Schedule(this, `${config.service}-${environment}-congruence`, {
          description: `bakeshift: rebuild ${config.service} ${environment} from its artifact on a fresh base`,
          schedule: ScheduleExpression.expression(
            env.congruence.schedule,
            TimeZone.of(env.congruence.timeZone),
          ),
          target: target('StartCongruenceRun', { service: config.service, environment }),
        });
      }
      new Schedule(this, `${config.service}-janitor`, {
        description: `bakeshift: remove what ${config.service} owns that no release needs`,
        schedule: ScheduleExpression.expression(JANITOR_SCHEDULE),
        target: target('RunJanitor', { service: config.service, dryRun: false }),
      });
    }
  }
}
