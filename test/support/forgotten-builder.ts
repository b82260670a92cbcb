import { type EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';

/** A builder an abandoned bake left behind (its deployment long gone): what the janitor must find. */
export async function launchForgottenBuilder(ec2: EC2Client): Promise<void> {
  await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-base',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'managed-by', Value: 'bakeshift' },
            { Key: 'bakeshift:role', Value: 'builder' },
            { Key: 'bakeshift:service', Value: 'web' },
            { Key: 'bakeshift:deployment', Value: 'web-staging-long-gone' },
          ],
        },
      ],
    }),
  );
}
