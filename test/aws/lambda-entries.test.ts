import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SsmServiceConfigs } from '../../aws/configs/ssm-service-configs.js';
import { StepFunctionsStarter } from '../../aws/starter/step-functions-starter.js';
import { LAMBDA_FUNCTIONS } from '../../infra/lambda-catalog.js';

const ssm = mockClient(SSMClient);
const sfn = mockClient(SFNClient);
afterEach(() => {
  ssm.reset();
  sfn.reset();
  vi.unstubAllEnvs();
});
const region = { region: 'eu-west-1' };

describe('the Lambda entries (aws/lambda/entries)', () => {
  it.each(LAMBDA_FUNCTIONS.map((spec) => [spec.name, spec.entry]))(
    '%s: its entry builds its ports and exports a handler',
    async (_, entry) => {
      vi.stubEnv('AWS_REGION', 'eu-west-1');
      for (const [name, value] of Object.entries({
        BAKESHIFT_RELEASE_TABLE: 'releases',
        BAKESHIFT_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:bakeshift-deploy',
        BAKESHIFT_EVENT_BUS: 'default',
        BAKESHIFT_SLACK_BOT_TOKEN_SECRET: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bot',
        BAKESHIFT_SLACK_SIGNING_SECRET: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing',
      }))
        vi.stubEnv(name, value);
      const module = (await import(`../../${entry.replace(/\.ts$/, '.js')}`)) as { handler: unknown };
      expect(typeof module.handler).toBe('function');
    },
  );

  it('an entry whose environment variable is missing fails at start, naming it', async () => {
    vi.stubEnv('BAKESHIFT_RELEASE_TABLE', '');
    vi.resetModules();
    await expect(import('../../aws/lambda/entries/release-lock.js')).rejects.toThrow(
      'environment variable BAKESHIFT_RELEASE_TABLE is not set (the CDK app sets it)',
    );
  });
});

describe('service configurations in SSM', () => {
  it('reads and validates the JSON the CDK app wrote', async () => {
    ssm.on(GetParameterCommand, { Name: '/bakeshift/services/web/config' }).resolves({
      Parameter: {
        Value: JSON.stringify({
          service: 'web',
          bake: { baseImage: 'ami-1' },
          environments: { prod: { capacity: { min: 1, desired: 1, max: 1 } } },
        }),
      },
    });
    const { config, source } = await new SsmServiceConfigs(new SSMClient(region)).load('web');
    expect(source).toBe('SSM parameter /bakeshift/services/web/config');
    expect(config.environments.prod?.drainSeconds).toBe(60);
  });

  it('a service that was never deployed, or whose JSON is wrong, is named with the parameter and field', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/bakeshift/services/nope/config' })
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    ssm.on(GetParameterCommand, { Name: '/bakeshift/services/bad/config' }).resolves({
      Parameter: { Value: JSON.stringify({ service: 'bad', bake: {}, environments: {} }) },
    });
    const configs = new SsmServiceConfigs(new SSMClient(region));
    await expect(configs.load('nope')).rejects.toThrow(
      'SSM parameter /bakeshift/services/nope/config: no configuration for service nope',
    );
    await expect(configs.load('bad')).rejects.toThrow(/\/bakeshift\/services\/bad\/config.*bake\.baseImage/);
  });
});

describe('starting deployments with StartExecution', () => {
  const request = {
    deploymentId: 'web-prod-0123456789abcdef',
    service: 'web',
    environment: 'prod',
    version: '1.0.0',
    trigger: 'artifact' as const,
    requestedBy: 'ci',
    requestedAt: '2026-11-21T00:00:00.000Z',
  };
  const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:bakeshift-deploy';

  it('names the execution after the deployment and passes the request as input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${arn}:x` });
    expect(await new StepFunctionsStarter(new SFNClient(region), arn).start(request)).toEqual({
      started: true,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: arn,
      name: request.deploymentId,
      input: JSON.stringify(request),
    });
  });

  it('a repeated request starts nothing (ExecutionAlreadyExists)', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    expect(await new StepFunctionsStarter(new SFNClient(region), arn).start(request)).toEqual({
      started: false,
    });
  });

  it('throttling is a TransientFailure, anything else passes through', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('slow'), { name: 'ThrottlingException' }))
      .rejectsOnce(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const starter = new StepFunctionsStarter(new SFNClient(region), arn);
    await expect(starter.start(request)).rejects.toMatchObject({ name: 'TransientFailure' });
    await expect(starter.start(request)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
