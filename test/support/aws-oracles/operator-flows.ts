import FakeTimers from '@sinonjs/fake-timers';
import { AwsOperatorSettings, OPERATOR_PARAMETER } from '../../../aws/commons/aws-settings.js';
import { serviceConfigParameter } from '../../../aws/configs/ssm-service-configs.js';
import { runAwsJanitor } from '../../../aws/janitor/aws-janitor.js';
import { AwsOperations } from '../../../aws/operations/aws-operations.js';
import { awsOperatorClients } from '../../../aws/operations/aws-operator-clients.js';
import { iamCallerOf } from '../../../aws/operations/iam-caller.js';
import type { Ports } from '../../../core/ports/index.js';
import { createOperatorDecision } from '../../../functions/operator-decision.js';
import { createRunJanitor } from '../../../functions/run-janitor.js';
import { createStartCongruenceRun } from '../../../functions/start-congruence-run.js';
import { localLambdaContext } from '../../../local/engine/lambda-context.js';
import type { awsWorld } from '../aws-world.js';
import { runAsFunction } from '../invoking-function.js';
import {
  APPROVER_ROLE_ARN,
  asPerson,
  bakeshiftOnAws,
  connectOperator,
  PEOPLE,
  type Person,
  startFunctionUrlStandIn,
} from '../operator-stand-ins.js';
import type { TemplatePolicies } from './template-policies.js';

const REGION = 'us-east-1';
const APP = new URL('../../../examples/hello/app', import.meta.url).pathname;

export interface OperatorFlowContext {
  setup: Awaited<ReturnType<typeof awsWorld>>;
  template: TemplatePolicies;
  dynamoEndpoint: string;
  /** What a function builds: the world's ports with the AWS adapters of the oracle flows. */
  portsOf: (name: string) => Ports & Record<string, unknown>;
  /** Resolves with the approval id the next approval request posts to Slack. */
  approvalAsked: () => Promise<string>;
}

/**
 * The operator's interface in the oracle flows: people with the stack's managed policies use `bakeshift
 * --target aws` (the real CLI, their credentials), the decision endpoint decides as the caller, congruence and
 * the janitor run as their functions. Every call is recorded under the person's kind or the function's name.
 */
export async function runOperatorFlows(context: OperatorFlowContext): Promise<void> {
  const { setup, template, dynamoEndpoint, portsOf } = context;
  const { world, cloud } = setup;
  cloud.recordEveryDynamoDbClient();
  const endpoint = await startFunctionUrlStandIn(
    'OperatorDecision',
    createOperatorDecision({ ...(portsOf('OperatorDecision') as Ports), callerOf: iamCallerOf }) as never,
  );
  const written = JSON.parse(template.parameterValue(OPERATOR_PARAMETER)) as Record<string, unknown>;
  const settings = AwsOperatorSettings.parse({ ...written, decisionUrl: endpoint.url, services: ['web'] });
  const config = JSON.parse(cloud.parameters.get(serviceConfigParameter('web')) ?? '{}');
  config.environments.prod.approval.approvers.push(APPROVER_ROLE_ARN);
  const { executions } = connectOperator(world, cloud, settings, config);
  cloud.functions.set(settings.congruenceFunction, (payload) =>
    runAsFunction('StartCongruenceRun', () =>
      createStartCongruenceRun(portsOf('StartCongruenceRun') as never)(
        payload,
        localLambdaContext('StartCongruenceRun', 120),
      ),
    ),
  );
  const janitor = (service: string, options: { dryRun: boolean }) =>
    runAwsJanitor({ clients: setup.clientsOf(), ...world.portsOf('RunJanitor') }, service, options);
  cloud.functions.set(settings.janitorFunction, (payload) =>
    runAsFunction('RunJanitor', () =>
      createRunJanitor({ janitor })(payload, localLambdaContext('RunJanitor', 600)),
    ),
  );
  const now = Date.now();
  cloud.logEvents.set('/bakeshift/web/staging', [
    { timestamp: now, message: 'listening', logStreamName: 'i-0a' },
  ]);
  cloud.logEvents.set('/bakeshift/events', []);

  // The flows keep fake time, ahead of the machine's: the person's machine shows the same time (a promotion
  // or rollback is requested "now", and must be newer than what the flows requested before).
  const bakeshift = async (person: Person, ...args: string[]) => {
    // Not vitest's fake timers: the bench runs these flows outside vitest.
    const clock = FakeTimers.install({ toFake: ['Date'], shouldAdvanceTime: true, now: world.clock.now() });
    const run = await bakeshiftOnAws(person, dynamoEndpoint, '/tmp/bakeshift-oracle-operator', args).finally(
      () => clock.uninstall(),
    );
    if (run.status !== 0)
      throw new Error(
        `operator flow: \`bakeshift ${args.join(' ')}\` as ${person.kind} exited ${run.status}: ${run.err}`,
      );
  };
  /** A command the flows expect refused: its exit status 2 and the words that say why. */
  const refused = async (person: Person, words: string, ...args: string[]) => {
    const clock = FakeTimers.install({ toFake: ['Date'], shouldAdvanceTime: true, now: world.clock.now() });
    const run = await bakeshiftOnAws(person, dynamoEndpoint, '/tmp/bakeshift-oracle-operator', args).finally(
      () => clock.uninstall(),
    );
    if (run.status !== 2 || !run.err.includes(words))
      throw new Error(
        `operator flow: \`bakeshift ${args.join(' ')}\` was not refused (${words}): ${run.status} ${run.err}`,
      );
  };
  const look = async (person: Person, deploymentId: string) => {
    for (const args of [
      ['status'],
      ['history', 'web'],
      ['logs', 'web'],
      ['events'],
      ['follow', deploymentId],
    ])
      await bakeshift(person, ...args, '--json');
    // What the console reads besides the CLI's commands: the charts of green against blue (GetMetricData).
    const metrics = await asPerson(person, dynamoEndpoint, () =>
      new AwsOperations(awsOperatorClients(REGION)).metrics({ deploymentId }),
    );
    if (metrics.points.length === 0) throw new Error(`operator flow: no metrics for ${deploymentId}`);
  };
  const ended = (deploymentId: string) => executions.get(deploymentId)?.outcome;
  const newest = async () => [...executions.keys()].at(-1) ?? '';
  try {
    await bakeshift(
      PEOPLE.deployer,
      'deploy',
      'web',
      APP,
      '--env',
      'staging',
      '--version',
      '9.0.0',
      '--json',
    );
    const deployed = await newest();
    await bakeshift(PEOPLE.deployer, 'promote', 'web', '--from', 'staging', '--to', 'prod', '--json');
    const promotion = await newest();
    await Promise.race([
      context.approvalAsked(),
      ended(promotion)?.then((o) => {
        throw new Error(`operator flow: the promotion ended before its approval: ${o.status} ${o.cause}`);
      }),
    ]);
    await bakeshift(PEOPLE.approver, 'approve', promotion, '--json');
    await ended(promotion);
    await look(PEOPLE.viewer, promotion);
    await look(PEOPLE.approver, promotion);
    await look(PEOPLE.deployer, deployed);
    await bakeshift(PEOPLE.deployer, 'congruence', 'web', '--env', 'staging', '--json');
    await ended(await newest());
    // The rollback that follows runs during the freeze: a return to a release staging served passes it.
    await freezeFlows({ bakeshift, refused, ended, newest, dynamoEndpoint });
    await bakeshift(PEOPLE.deployer, 'rollback', 'web', '--env', 'staging', '--json');
    await ended(await newest());
    await bakeshift(PEOPLE.approver, 'unfreeze', '--service', 'web', '--env', 'staging', '--json');
    await bakeshift(PEOPLE.deployer, 'janitor', '--dry-run', '--json');
  } finally {
    await endpoint.stop();
  }
}

/**
 * A freeze's round trip as people do it: the approver freezes staging, a viewer lists it, the deployer's deploy is
 * refused, the approver overrides it for one version (through the endpoint, as the CLI's deploy --override-freeze
 * does before it uploads), and that version goes through. The caller lifts the freeze.
 */
async function freezeFlows(flows: {
  bakeshift: (person: Person, ...args: string[]) => Promise<void>;
  refused: (person: Person, words: string, ...args: string[]) => Promise<void>;
  ended: (deploymentId: string) => Promise<unknown> | undefined;
  newest: () => Promise<string>;
  dynamoEndpoint: string;
}): Promise<void> {
  const { bakeshift, refused, ended, newest, dynamoEndpoint } = flows;
  const staging = ['--service', 'web', '--env', 'staging'];
  await bakeshift(PEOPLE.approver, 'freeze', ...staging, '--until', '2h', '--reason', 'oracle', '--json');
  await bakeshift(PEOPLE.viewer, 'freezes', '--json');
  const deploy = ['deploy', 'web', APP, '--env', 'staging', '--version', '9.1.0', '--json'];
  await refused(PEOPLE.deployer, 'web/staging is frozen', ...deploy);
  await asPerson(PEOPLE.approver, dynamoEndpoint, () =>
    new AwsOperations(awsOperatorClients(REGION)).overrideFreeze({
      service: 'web',
      environment: 'staging',
      version: '9.1.0',
      reason: 'hotfix',
      by: 'ignored: the endpoint records the IAM caller',
    }),
  );
  await bakeshift(PEOPLE.deployer, ...deploy);
  await ended(await newest());
}
