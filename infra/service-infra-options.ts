import { z } from 'zod';

const arn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ${service} ARN`);

/** An environment's load balancer, target groups, security groups and instance role, made outside bakeshift. */
export const AdoptedEnvironment = z
  .object({
    listenerArn: arn('elasticloadbalancing'),
    previewListenerArn: arn('elasticloadbalancing'),
    previewUrl: z.string().url(),
    targetGroupArns: z.tuple([arn('elasticloadbalancing'), arn('elasticloadbalancing')]),
    subnetIds: z.array(z.string().startsWith('subnet-')).min(1).optional(),
    securityGroupIds: z.array(z.string().startsWith('sg-')).min(1),
    instanceProfileArn: arn('iam'),
    instanceRoleArn: arn('iam'),
  })
  .strict();
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
