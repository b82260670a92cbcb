import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { describeIssues } from '../../core/config/describe-issues.js';
import { ConfigInvalid } from '../../core/errors.js';
import { withAwsErrors } from './aws-errors.js';

export const awsArn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ${service} ARN`);

/** What the CDK app created for one service+environment, written to SSM at `/bakeshift/services/<service>/<env>`. */
export const AwsEnvironmentSettings = z
  .object({
    listenerArn: awsArn('elasticloadbalancing'),
    previewListenerArn: awsArn('elasticloadbalancing'),
    previewUrl: z.string().url(),
    /** Where the environment serves (the live listener), for the operator's status; absent when adopted. */
    url: z.string().url().optional(),
    /** The two target-group slots that alternate between blue and green. */
    targetGroupArns: z.tuple([awsArn('elasticloadbalancing'), awsArn('elasticloadbalancing')]),
    subnetIds: z.array(z.string().startsWith('subnet-')).min(1),
    securityGroupIds: z.array(z.string().startsWith('sg-')).min(1),
    instanceProfileArn: awsArn('iam'),
    instanceType: z.string().min(1).default('t3.small'),
    /** The port the app listens on (PORT), which the target groups forward to. */
    appPort: z.number().int().min(1).max(65_535).default(8080),
  })
  .strict();
export type AwsEnvironmentSettings = z.infer<typeof AwsEnvironmentSettings>;

/** Account-wide settings, at `/bakeshift/provider`. */
export const AwsProviderSettings = z
  .object({
    artifactBucket: z.string().min(3),
    /** Builders report their outcome as `<prefix><bakeId>.json` through a presigned PUT. */
    bakeResultsPrefix: z.string().default('bake-results/'),
    builderSubnetId: z.string().startsWith('subnet-'),
    /** A group with no inbound rule: builders are never reached, they only reach out. */
    builderSecurityGroupId: z.string().startsWith('sg-'),
    builderInstanceType: z.string().min(1).default('t3.small'),
  })
  .strict();
export type AwsProviderSettings = z.infer<typeof AwsProviderSettings>;

export const PROVIDER_PARAMETER = '/bakeshift/provider';
export const environmentParameter = (service: string, environment: string) =>
  `/bakeshift/services/${service}/${environment}`;

/** Reads and validates the settings the CDK app wrote; cached for the life of the Lambda container. */
export class AwsSettings {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(private readonly ssm: SSMClient) {}

  provider(): Promise<AwsProviderSettings> {
    return this.load(PROVIDER_PARAMETER, AwsProviderSettings);
  }

  operator(): Promise<AwsOperatorSettings> {
    return this.load(OPERATOR_PARAMETER, AwsOperatorSettings);
  }

  environment(service: string, environment: string): Promise<AwsEnvironmentSettings> {
    return this.load(environmentParameter(service, environment), AwsEnvironmentSettings);
  }

  private load<T>(name: string, schema: z.ZodType<T>): Promise<T> {
    const cached = this.cache.get(name);
    if (cached) return cached as Promise<T>;
    const loading = (async () => {
      const { Parameter } = await withAwsErrors(`GetParameter ${name}`, () =>
        this.ssm.send(new GetParameterCommand({ Name: name })),
      );
      let raw: unknown;
      try {
        raw = JSON.parse(Parameter?.Value ?? '');
      } catch {
        throw new ConfigInvalid(`SSM parameter ${name}: not valid JSON`);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success)
        throw new ConfigInvalid(describeIssues(`SSM parameter ${name}`, parsed.error.issues));
      return parsed.data;
    })();
    this.cache.set(name, loading);
    loading.catch(() => this.cache.delete(name));
    return loading;
  }
}

/**
 * What the operator's interface (the CLI and console with `--target aws`) needs to find, written by the CDK app
 * at `/bakeshift/operator`: read with the operator's own credentials (every operator policy may read it).
 */
export const AwsOperatorSettings = z
  .object({
    stateMachineArn: awsArn('states'),
    releaseTable: z.string().min(3),
    artifactBucket: z.string().min(3),
    services: z.array(z.string().min(1)),
    /** The approval endpoint: a function URL with AWS_IAM auth, so the approver is who AWS authenticated. */
    decisionUrl: z.string().url(),
    congruenceFunction: z.string().min(1),
    janitorFunction: z.string().min(1),
    /** Where an EventBridge rule keeps bakeshift's events (what `bakeshift events` reads). */
    eventsLogGroup: z.string().min(1),
  })
  .strict();
export type AwsOperatorSettings = z.infer<typeof AwsOperatorSettings>;

export const OPERATOR_PARAMETER = '/bakeshift/operator';
