import * as z from 'zod';
import { AwsEnvironmentSettings, awsArn } from '../aws/commons/aws-settings.js';

/**
 * An environment's load balancer, target groups, security groups and instance role, made outside bakeshift:
 * the settings the adapters read (subnets optional: the stack's VPC by default) and the role fleets pass to EC2.
 */
export const AdoptedEnvironment = AwsEnvironmentSettings.pick({
  listenerArn: true,
  previewListenerArn: true,
  previewUrl: true,
  url: true,
  targetGroupArns: true,
  subnetIds: true,
  securityGroupIds: true,
  instanceProfileArn: true,
}).extend({
  subnetIds: AwsEnvironmentSettings.shape.subnetIds.optional(),
  instanceRoleArn: awsArn('iam'),
});
export type AdoptedEnvironment = z.infer<typeof AdoptedEnvironment>;

/**
 * `<service>.aws.json` next to a service's configuration: what only AWS needs to know. Optional; every field
 * has a default.
 */
export const ServiceInfraOptions = z
  .object({
    appPort: z.number().int().min(1).max(65_535).default(8080),
    instanceType: z.string().min(1).default('t3.small'),
    previewPort: z.number().int().min(1).max(65_535).default(8080),
    environments: z
      .record(z.string(), z.object({ adopt: AdoptedEnvironment.optional() }).strict())
      .default({}),
  })
  .strict();
export type ServiceInfraOptions = z.infer<typeof ServiceInfraOptions>;
