import { LAMBDA_PRE_TRAFFIC_TESTS_IAM } from '../aws/analysis/iam.js';
import { EC2_BAKER_IAM, EC2_IMAGE_CATALOG_IAM } from '../aws/baker/iam.js';
import { STEP_FUNCTIONS_CALLBACKS_IAM } from '../aws/callbacks/iam.js';
import type { IamStatement } from '../aws/commons/iam-statement.js';
import { SSM_SERVICE_CONFIGS_IAM } from '../aws/configs/iam.js';
import { EVENTBRIDGE_NOTIFIER_IAM } from '../aws/events/iam.js';
import { STEP_FUNCTIONS_EXECUTIONS_IAM } from '../aws/executions/iam.js';
import { AUTO_SCALING_FLEETS_IAM, INSTANCE_DIAGNOSTICS_IAM } from '../aws/fleets/iam.js';
import { AWS_JANITOR_IAM } from '../aws/janitor/iam.js';
import type { LAMBDA_ENVIRONMENT } from '../aws/lambda/lambda-environment.js';
import { CLOUDWATCH_TRAFFIC_METRICS_IAM } from '../aws/metrics/iam.js';
import { RELEASE_STORE_IAM } from '../aws/release-store/iam.js';
import { STEP_FUNCTIONS_STARTER_IAM } from '../aws/starter/iam.js';
import { ALB_TRAFFIC_IAM, TARGET_GROUP_HEALTH_IAM } from '../aws/traffic/iam.js';
import type { TaskFunctionName } from '../functions/catalog.js';

/** A port (or adapter) a function's entry builds, which decides its IAM and its environment. */
export type AwsPort =
  | 'store'
  | 'configs'
  | 'baker'
  | 'images'
  | 'fleets'
  | 'traffic'
  | 'health'
  | 'diagnostics'
  | 'metrics'
  | 'preTraffic'
  | 'approvals'
  | 'notifier'
  | 'callbacks'
  | 'starter'
  | 'executions'
  | 'janitor'
  | 'slackSigningSecret';

type EnvironmentKey = keyof typeof LAMBDA_ENVIRONMENT;

/** What each port's adapter needs: its IAM statements, environment variables and Slack secrets. */
export const PORT_NEEDS: Record<
  AwsPort,
  { iam: IamStatement[]; environment: EnvironmentKey[]; secrets?: ('botToken' | 'signingSecret')[] }
> = {
  store: { iam: RELEASE_STORE_IAM, environment: ['releaseTable'] },
  configs: { iam: SSM_SERVICE_CONFIGS_IAM, environment: [] },
  baker: {
    iam: [...EC2_BAKER_IAM, ...STEP_FUNCTIONS_CALLBACKS_IAM],
    environment: ['releaseTable'],
  },
  images: { iam: EC2_IMAGE_CATALOG_IAM, environment: [] },
  fleets: { iam: AUTO_SCALING_FLEETS_IAM, environment: [] },
  traffic: { iam: ALB_TRAFFIC_IAM, environment: [] },
  health: { iam: TARGET_GROUP_HEALTH_IAM, environment: [] },
  diagnostics: { iam: INSTANCE_DIAGNOSTICS_IAM, environment: [] },
  metrics: { iam: CLOUDWATCH_TRAFFIC_METRICS_IAM, environment: [] },
  preTraffic: { iam: LAMBDA_PRE_TRAFFIC_TESTS_IAM, environment: [] },
  approvals: { iam: [], environment: ['slackBotTokenSecret'], secrets: ['botToken'] },
  notifier: {
    // The Slack notifier reads the environment's channel from its configuration.
    iam: [...EVENTBRIDGE_NOTIFIER_IAM, ...SSM_SERVICE_CONFIGS_IAM.map((s) => ({ ...s, serves: ['slack'] }))],
    environment: ['eventBus', 'slackBotTokenSecret'],
    secrets: ['botToken'],
  },
  callbacks: { iam: STEP_FUNCTIONS_CALLBACKS_IAM, environment: [] },
  starter: { iam: STEP_FUNCTIONS_STARTER_IAM, environment: ['stateMachineArn'] },
  executions: { iam: STEP_FUNCTIONS_EXECUTIONS_IAM, environment: ['stateMachineArn'] },
  janitor: {
    iam: [...AWS_JANITOR_IAM, ...RELEASE_STORE_IAM, ...SSM_SERVICE_CONFIGS_IAM],
    environment: ['releaseTable'],
  },
  slackSigningSecret: { iam: [], environment: ['slackSigningSecret'], secrets: ['signingSecret'] },
};

export interface LambdaSpec {
  /** The construct id and, for Task functions, the ASL placeholder `${<name>FunctionArn}`. */
  name:
    | TaskFunctionName
    | 'StartDeploymentFromArtifact'
    | 'AdvanceBakeOnEvent'
    | 'StartCongruenceRun'
    | 'RunJanitor'
    | 'SlackInteractivity'
    | 'SlackCommands'
    | 'OperatorDecision';
  /** The entry file under aws/lambda/entries/, which builds exactly these ports. */
  entry: string;
  ports: AwsPort[];
  /**
   * Where a function uses only some operations of a port, those operations: it is granted only the statements
   * that serve them (IamStatement.serves). Held to what the function really calls by the IAM oracle.
   */
  operations?: Partial<Record<AwsPort, string[]>>;
  /** Below every ASL TimeoutSeconds of the Tasks that invoke it (checked by test/infra). */
  timeoutSeconds: number;
}

const spec = (
  name: LambdaSpec['name'],
  ports: AwsPort[],
  timeoutSeconds: number,
  operations?: LambdaSpec['operations'],
): LambdaSpec => ({
  name,
  entry: `aws/lambda/entries/${name.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase()}.ts`,
  ports,
  ...(operations ? { operations } : {}),
  timeoutSeconds,
});

/** The IAM statements a function is granted: its ports', narrowed to the operations it uses. */
export function iamOf(spec: LambdaSpec): IamStatement[] {
  return spec.ports.flatMap((port) => {
    const used = spec.operations?.[port];
    return PORT_NEEDS[port].iam.filter(
      (statement) => !used || !statement.serves || statement.serves.some((op) => used.includes(op)),
    );
  });
}

/** Every Lambda function the CDK app deploys; `npm run bench` bundles and times each. */
export const LAMBDA_FUNCTIONS: LambdaSpec[] = [
  spec('PrepareDeployment', ['configs', 'store', 'notifier', 'executions'], 50),
  spec('BakeImage', ['baker', 'store', 'callbacks'], 50, {
    baker: ['start', 'advance', 'resolveBase', 'discard'],
  }),
  spec('LaunchGreen', ['images', 'fleets', 'traffic', 'store'], 100, {
    images: [],
    fleets: ['launch'],
    traffic: ['route'],
  }),
  spec('AwaitGreenHealthy', ['health', 'diagnostics', 'store'], 50),
  spec('RunPreTrafficTests', ['preTraffic', 'store'], 890),
  spec('RequestApproval', ['store', 'approvals', 'notifier', 'callbacks'], 50, { notifier: [] }),
  spec('ShiftTraffic', ['traffic', 'store', 'notifier'], 50, { traffic: ['read', 'route'] }),
  spec('CheckGreenAtWeight', ['health', 'metrics', 'store', 'notifier'], 50),
  spec('WatchGreen', ['health', 'store', 'metrics', 'notifier'], 50),
  spec('CommitRelease', ['store'], 50),
  spec('DrainBlue', ['traffic', 'store'], 50, { traffic: ['drain'] }),
  spec('ReapBlue', ['fleets', 'traffic'], 240, { fleets: ['destroy'], traffic: ['read'] }),
  spec('PruneImages', ['images', 'fleets', 'store'], 100, { images: ['discard'], fleets: ['read'] }),
  spec('ReleaseLock', ['store'], 25),
  spec('AnnounceOutcome', ['notifier', 'store', 'traffic'], 25, { traffic: ['read'] }),
  spec('RecordCleanupWarnings', ['store'], 25),
  spec('RecordFailure', ['store'], 25),
  spec('RestoreTraffic', ['traffic', 'store'], 50, { traffic: ['route'] }),
  spec('DestroyGreen', ['fleets', 'store', 'traffic'], 240, { fleets: ['destroy'], traffic: ['read'] }),
  spec('DiscardBake', ['baker', 'store'], 100, { baker: ['cancel', 'discard'] }),
  spec('RecordRollback', ['store', 'approvals'], 25),
  spec('StartDeploymentFromArtifact', ['starter'], 30),
  spec('AdvanceBakeOnEvent', ['baker'], 60, { baker: ['advance', 'discard'] }),
  spec('StartCongruenceRun', ['configs', 'store', 'images', 'fleets', 'health', 'notifier', 'starter'], 120, {
    images: ['resolveBase'],
    fleets: [],
  }),
  spec('RunJanitor', ['janitor'], 600, { janitor: ['discard'] }),
  spec('SlackInteractivity', ['store', 'callbacks', 'approvals', 'notifier', 'slackSigningSecret'], 10),
  spec('SlackCommands', ['store', 'configs', 'starter', 'slackSigningSecret'], 10),
  spec('OperatorDecision', ['store', 'callbacks', 'approvals', 'notifier', 'configs'], 10),
];
