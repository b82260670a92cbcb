import { type EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import type { Clock } from '../../core/ports/clock.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import { describeInstances } from '../commons/ec2-describe.js';
import { TAG } from '../commons/tags.js';
import { withinVisibilityDelay } from './visibility-delay.js';

/** A bake's builder instance as EC2 sees it: found by its tag, its state, and terminated. */
export class BuilderInstances {
  constructor(
    private readonly ec2: EC2Client,
    private readonly clock: Clock,
  ) {}

  /** The builder a bake launched, found by its tag (after a retried RunInstances, or a start that failed). */
  async of(bakeId: string): Promise<string | undefined> {
    const [builder] = await describeInstances(this.ec2, {
      Filters: [
        { Name: `tag:${TAG.bakeId}`, Values: [bakeId] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    });
    return builder?.InstanceId;
  }

  /** Right after RunInstances, DescribeInstances may answer InvalidInstanceID.NotFound: within the delay, pending. */
  async state(instanceId: string, launchedAt: string): Promise<string | undefined> {
    const state = await describeInstances(this.ec2, { InstanceIds: [instanceId] }).then(
      ([instance]) => instance?.State?.Name,
      (error: Error) => {
        if (error.name === 'InvalidInstanceID.NotFound') return undefined;
        throw error;
      },
    );
    return state ?? (withinVisibilityDelay(this.clock, launchedAt) ? 'pending' : undefined);
  }

  /** Idempotent: a builder already gone is terminated. */
  async terminate(instanceId: string): Promise<void> {
    await withAwsErrors('TerminateInstances', () =>
      this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] })),
    ).catch((error: Error) => {
      if (error.name !== 'InvalidInstanceID.NotFound') throw error;
    });
  }
}
