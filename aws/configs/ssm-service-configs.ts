import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { ConfigInvalid } from '../../core/errors.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';
import { withAwsErrors } from '../commons/aws-errors.js';

/** Where the CDK app writes each service's configuration file, validated at synth. */
export const serviceConfigParameter = (service: string) => `/bakeshift/services/${service}/config`;

/**
 * Service configurations on AWS: the JSON the CDK app wrote to SSM. Read on every call, not cached, so a
 * `cdk deploy` takes effect with the next deployment (Prepare snapshots it into the plan).
 */
export class SsmServiceConfigs implements ServiceConfigs {
  constructor(private readonly ssm: SSMClient) {}

  async load(service: string) {
    const source = `SSM parameter ${serviceConfigParameter(service)}`;
    let value: string | undefined;
    try {
      const { Parameter } = await withAwsErrors(`GetParameter ${serviceConfigParameter(service)}`, () =>
        this.ssm.send(new GetParameterCommand({ Name: serviceConfigParameter(service) })),
      );
      value = Parameter?.Value;
    } catch (error) {
      if ((error as Error).name !== 'ParameterNotFound') throw error;
      throw new ConfigInvalid(
        `${source}: no configuration for service ${service} (add it to the CDK app's services and deploy)`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(value ?? '');
    } catch {
      throw new ConfigInvalid(`${source}: not valid JSON`);
    }
    return { config: parseServiceConfig(raw, source), source };
  }
}
