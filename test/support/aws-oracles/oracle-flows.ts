import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { WebClient } from '@slack/web-api';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { StepFunctionsCallbacks } from '../../../aws/callbacks/step-functions-callbacks.js';
import { SsmServiceConfigs, serviceConfigParameter } from '../../../aws/configs/ssm-service-configs.js';
import { EventBridgeNotifier } from '../../../aws/events/eventbridge-notifier.js';
import { StepFunctionsExecutions } from '../../../aws/executions/step-functions-executions.js';
import { runAwsJanitor } from '../../../aws/janitor/aws-janitor.js';
import { StepFunctionsStarter } from '../../../aws/starter/step-functions-starter.js';
import { SlackApprovalChannel } from '../../../chatops/slack/slack-approval-channel.js';
import { SlackNotifier } from '../../../chatops/slack/slack-notifier.js';
import { signSlackRequest } from '../../../chatops/slack/verify-slack-request.js';
import { FanOutNotifier } from '../../../core/ports/fan-out-notifier.js';
import { createRestoreTraffic } from '../../../functions/restore-traffic.js';
import { createSlackCommands, createSlackInteractivity } from '../../../functions/slack-endpoints.js';
import { createStartCongruenceRun } from '../../../functions/start-congruence-run.js';
import { createStartDeploymentFromArtifact } from '../../../functions/start-deployment-from-artifact.js';
import { localLambdaContext } from '../../../local/engine/lambda-context.js';
import type { LocalDynamoDb } from '../../../local/store/local-dynamodb.js';
import { awsArns, awsWorld } from '../aws-world.js';
import { launchForgottenBuilder } from '../forgotten-builder.js';
import { runAsFunction } from '../invoking-function.js';
import type { SimCall } from '../simulated-cloud.js';
import { SlackStandIn } from '../slack-stand-in.js';
import { runOperatorFlows } from './operator-flows.js';
import type { TemplatePolicies } from './template-policies.js';

const region = 'us-east-1';
const credentials = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };
const SIGNING_SECRET = 'oracle-signing-secret';
/** Alice's Slack user id: Slack approvers and allowlists hold ids (ADR 35). */
const ALICE_SLACK_ID = 'U0ALICE01';

/**
 * Every Lambda function of the CDK app, run with AWS adapters for every port over the simulated cloud (Slack
 * through its stand-in), through flows that reach each of them: deploys that bake, replace blue and prune;
 * a cleanup warning; a compensated shift; a bake that never reports; a guarded prod deployment approved in
 * Slack with weighted steps; the artifact trigger; a congruence run; slash commands; the janitor. Names and
 * ARNs (table, bucket, state machine, bus, secrets) are the synthesized template's; last, people use the
 * operator's CLI on AWS (operator-flows.ts). Returns every call made.
 */
export async function runOracleFlows(dynamo: LocalDynamoDb, template: TemplatePolicies): Promise<SimCall[]> {
  const slack = new SlackStandIn();
  const slackApiUrl = (await slack.start()).slackApiUrl;
  const env = template.environmentOf('SlackInteractivity');
  const botTokenSecret = env.BAKESHIFT_SLACK_BOT_TOKEN_SECRET ?? '';
  const signingSecretArn = env.BAKESHIFT_SLACK_SIGNING_SECRET ?? '';
  const stateMachineArn =
    template.environmentOf('StartDeploymentFromArtifact').BAKESHIFT_STATE_MACHINE_ARN ?? '';
  const eventBus = template.environmentOf('PrepareDeployment').BAKESHIFT_EVENT_BUS ?? '';

  /** What each function builds for the ports the test fakes stand in for elsewhere. */
  const announcementAdapters = (ssm: SSMClient) => {
    const configs = new SsmServiceConfigs(ssm);
    // Each function caches its secrets (Powertools, five minutes), as each Lambda container does.
    const secrets = new SecretsProvider({
      awsSdkV3Client: new SecretsManagerClient({ region, credentials }),
    });
    const secretText = (arn: string) => async () => String(await secrets.get(arn, { maxAge: 300 }));
    const botToken = secretText(botTokenSecret);
    const slackClient = async () =>
      new WebClient(await botToken(), { slackApiUrl, retryConfig: { retries: 0 } });
    const channelOf = async (service: string, environment: string) =>
      (await configs.load(service)).config.environments[environment]?.slack?.channel;
    const sfn = new SFNClient({ region, credentials });
    return {
      configs,
      notifier: new FanOutNotifier([
        new EventBridgeNotifier(new EventBridgeClient({ region, credentials }), eventBus),
        new SlackNotifier(slackClient, channelOf),
      ]),
      approvals: new SlackApprovalChannel(slackClient),
      callbacks: new StepFunctionsCallbacks(sfn),
      starter: new StepFunctionsStarter(sfn, stateMachineArn),
      executions: new StepFunctionsExecutions(sfn, stateMachineArn),
      slack: slackClient,
      signingSecret: secretText(signingSecretArn),
    };
  };
  const setup = await awsWorld(dynamo, {
    releaseStore: 'dynamodb',
    tableName: template.physicalName(template.logicalIdOf('AWS::DynamoDB::Table', 'Releases')),
    moreAdapters: (_, clients) => announcementAdapters(clients.ssm),
  });
  const { world, cloud } = setup;
  // Builders report after the Bake Task has started waiting, as on AWS (minutes, not milliseconds): which
  // function moves a bake on is then decided by the events, not by a race with the simulation's clock.
  cloud.builderSteps = 60;
  cloud.secrets.set(botTokenSecret, 'xoxb-oracle');
  cloud.secrets.set(signingSecretArn, SIGNING_SECRET);
  cloud.onTaskResult = async (token, result) =>
    result.error !== undefined
      ? world.tokens.fail(token, result.error, result.cause ?? '')
      : world.tokens.succeed(token, result.output as Record<string, unknown>);
  // The service configuration as the CDK app writes it to SSM, with Slack channels and approvers.
  const config = structuredClone(world.configs.raw.get('web')) as {
    environments: Record<string, Record<string, unknown>>;
  };
  for (const [name, environment] of Object.entries(config.environments))
    environment.slack = { channel: `C-${name.toUpperCase()}`, rollbackAllowlist: [ALICE_SLACK_ID] };
  (config.environments.prod?.approval as { approvers: string[] }).approvers = [ALICE_SLACK_ID];
  // prod's weighted steps are also judged by an alarm (DescribeAlarms) besides the metrics (GetMetricData).
  (config.environments.prod as Record<string, unknown>).analysis = { alarms: ['web-prod-5xx'] };
  cloud.alarms.set('web-prod-5xx', 'OK');
  // Every target group answers healthily in CloudWatch, so that each check judges (and announces) a verdict.
  for (const environment of ['staging', 'prod'])
    for (const arn of awsArns(environment).targetGroupArns) {
      const group = arn.split(':').at(-1) ?? '';
      cloud.targetGroupMetrics.set(`${group} RequestCount`, 1000);
      cloud.targetGroupMetrics.set(`${group} HTTPCode_Target_5XX_Count`, 0);
      cloud.targetGroupMetrics.set(`${group} TargetResponseTime`, 0.02);
    }
  // ...and tested before traffic by a function in the VPC (the only kind bakeshift may invoke).
  (config.environments.prod as Record<string, unknown>).preTraffic = { function: 'bakeshift-pretraffic-web' };
  cloud.functions.set('bakeshift-pretraffic-web', async () => ({
    passed: true,
    output: 'smoke tests passed',
  }));
  cloud.parameters.set(serviceConfigParameter('web'), JSON.stringify(config));

  const expectOutcome = async (fields: Parameters<typeof world.deploy>[0], status: string) => {
    const { outcome } = await world.deploy(fields);
    if (outcome.status !== status)
      throw new Error(`oracle flow ${fields.version}: ${outcome.status} (${outcome.cause}), not ${status}`);
  };
  const invoke = <T>(name: string, handler: (event: never, context: never) => Promise<T>, event: unknown) =>
    runAsFunction(name, () => handler(event as never, localLambdaContext(name, 60) as never));
  /** Alice clicks Approve or Reject: a signed request to the interactivity function. */
  const clickInSlack = async (approvalId: string, approve: boolean) => {
    const payload = {
      type: 'block_actions',
      user: { id: ALICE_SLACK_ID, username: 'alice' },
      actions: [{ action_id: approve ? 'bakeshift_approve' : 'bakeshift_reject', value: approvalId }],
      channel: { id: 'C-PROD' },
    };
    await invoke(
      'SlackInteractivity',
      createSlackInteractivity(portsOf('SlackInteractivity')),
      signedEvent(`payload=${encodeURIComponent(JSON.stringify(payload))}`, world.clock.now()),
    );
  };
  const portsOf = (name: string) => ({
    ...world.portsOf(name),
    ...announcementAdapters(setup.clientsOf().ssm),
  });
  /** RestoreTraffic for a deployment whose record kept the traffic before it as weights only. */
  const restoreByWeightsOnly = async () => {
    const store = world.ports().store;
    const live = await store.getLiveRelease('web', 'staging');
    if (!live) throw new Error('oracle flow: nothing live in staging to restore to');
    const deploymentId = 'web-staging-weights-only';
    await store.createDeployment({
      deploymentId,
      service: 'web',
      environment: 'staging',
      trigger: 'manual',
      version: '7.5.0',
      requestedBy: 'oracle',
      requestedAt: world.clock.now().toISOString(),
      status: 'compensating',
      greenFleetId: deploymentId,
      phases: {},
      warnings: [],
      trafficBefore: { weights: [{ fleetId: live.fleetId, percent: 100 }] },
    });
    await invoke('RestoreTraffic', createRestoreTraffic(portsOf('RestoreTraffic')), {
      deploymentId,
      service: 'web',
      environment: 'staging',
    });
  };

  /**
   * A deployment whose ReleaseLock and RecordCleanupWarnings failed for good, both started by StartExecution: the
   * next one's PrepareDeployment asks Step Functions whether the holder still runs, and takes its lock over.
   */
  /** Starts a deployment as AWS does (StartExecution), so that DescribeExecution answers for it. */
  const startThroughStepFunctions = async (version: string) => {
    const request = world.request({ version });
    let execution: ReturnType<typeof world.start> | undefined;
    cloud.runExecution = (_name, input) => {
      execution = world.start(JSON.parse(input));
      return {
        status: () => execution?.status as 'RUNNING' | 'SUCCEEDED' | 'FAILED',
        history: () => [],
      };
    };
    const starter = new StepFunctionsStarter(new SFNClient({ region, credentials }), stateMachineArn);
    await runAsFunction('StartDeploymentFromArtifact', () => starter.start(request));
    cloud.runExecution = undefined;
    return (await execution?.outcome)?.status;
  };
  const takeOverTheLockOfAnEndedExecution = async () => {
    world.faults.push(
      { stateName: 'ReleaseLock', when: 'before' },
      { stateName: 'RecordCleanupWarnings', when: 'before' },
    );
    const stuck = await startThroughStepFunctions('7.4.1');
    world.faults.length = 0;
    const next = await startThroughStepFunctions('7.4.2');
    if (stuck !== 'SUCCEEDED' || next !== 'SUCCEEDED')
      throw new Error(`oracle flow: lock takeover of an ended execution: ${stuck}, then ${next}`);
  };

  try {
    for (const version of ['1.0.0', '2.0.0', '3.0.0', '4.0.0']) await expectOutcome({ version }, 'SUCCEEDED');
    world.faults.push({ stateName: 'ReapBlue', when: 'before' });
    await expectOutcome({ version: '5.0.0' }, 'SUCCEEDED'); // with a cleanup warning
    world.faults.length = 0;
    world.faults.push({ stateName: 'ShiftTraffic', when: 'after' });
    await expectOutcome({ version: '6.0.0' }, 'FAILED');
    world.faults.length = 0;
    cloud.builder = 'hang';
    await expectOutcome({ version: '7.0.0' }, 'FAILED'); // the builder is cancelled mid-bake
    cloud.builder = 'succeed';
    // The report's presigned PUT died with its credentials: read from the console, after a 404.
    cloud.presignedUrlsExpired = true;
    await expectOutcome({ version: '7.1.0' }, 'SUCCEEDED');
    cloud.presignedUrlsExpired = false;
    // CreateImage fails: the failed image is discarded by whichever function sees it, with or without events.
    cloud.imagesFail = true;
    await expectOutcome({ version: '7.2.0' }, 'FAILED');
    cloud.dropEvents = true;
    await expectOutcome({ version: '7.3.0' }, 'FAILED');
    cloud.imagesFail = false;
    cloud.dropEvents = false;
    // A green that never becomes healthy: at its deadline AwaitGreenHealthy reads its instances' logs.
    const forwardEvent = cloud.onEvent;
    cloud.onEvent = (event) => {
      if (event['detail-type'] === 'EC2 AMI State Change') {
        cloud.unhealthyImages.add(String(event.detail.ImageId));
        cloud.appOutputOfImage.set(String(event.detail.ImageId), ['Error: listen EACCES']);
      }
      forwardEvent(event);
    };
    world.advanceOnCall.AwaitGreenHealthy = 60;
    await expectOutcome({ version: '7.3.5' }, 'FAILED');
    delete world.advanceOnCall.AwaitGreenHealthy;
    cloud.onEvent = forwardEvent;

    // prod, twice: approved in Slack by a signed click; the second shifts in weighted steps (blue exists).
    for (const version of ['3.0.0', '4.0.0']) {
      const guarded = world.start(world.request({ version, environment: 'prod' }));
      const approvalId = await Promise.race([
        slack.approvalIdAsked(20_000),
        guarded.outcome.then((o) => {
          throw new Error(`oracle flow prod ${version} ended before its approval: ${o.status} ${o.cause}`);
        }),
      ]);
      await clickInSlack(approvalId, true);
      const approved = await guarded.outcome;
      if (approved.status !== 'SUCCEEDED') throw new Error(`oracle flow prod ${version}: ${approved.cause}`);
    }

    // A rejection in Slack: compensated, and the approval message shows the outcome.
    const rejected = world.start(world.request({ version: '5.0.0', environment: 'prod' }));
    await clickInSlack(await slack.approvalIdAsked(20_000), false);
    if ((await rejected.outcome).status !== 'FAILED')
      throw new Error('oracle flow: a rejection did not roll back');
    // RequestApproval fails after asking: compensation closes the pending approval and updates its message.
    world.faults.push({ stateName: 'RequestApproval', when: 'after', times: 1 });
    await expectOutcome({ version: '5.0.1', environment: 'prod' }, 'FAILED');
    await slack.approvalIdAsked(20_000);
    world.faults.length = 0;
    // The approval's callback is lost (SendTaskSuccess throttled): the re-armed RequestApproval delivers it.
    const lost = world.start(world.request({ version: '5.1.0', environment: 'prod' }));
    const lostId = await slack.approvalIdAsked(20_000);
    cloud.fail('SendTaskSuccess', 'ThrottlingException', 1);
    await clickInSlack(lostId, true);
    const delivered = await lost.outcome;
    if (delivered.status !== 'SUCCEEDED') throw new Error(`oracle flow: lost callback: ${delivered.cause}`);
    // (After the prod flows, whose images these deployments would otherwise push out of retention.)
    // The request schema makes the artifact's versionId optional: the builder's presigned GET then names no
    // version, which S3 authorizes as s3:GetObject, not s3:GetObjectVersion.
    const { artifact, ...unversioned } = world.request({ version: '7.4.0' });
    const { versionId: _versionId, ...latestVersion } = artifact ?? { bucket: '', key: '', etag: '' };
    const latest = await world.start({ ...unversioned, artifact: latestVersion }).outcome;
    if (latest.status !== 'SUCCEEDED') throw new Error(`oracle flow 7.4.0 (no version id): ${latest.cause}`);
    // A traffic snapshot with weights only (the port's `native` action is optional): RestoreTraffic shifts by
    // weights, finding each fleet's target group through its Auto Scaling group.
    await restoreByWeightsOnly();
    await takeOverTheLockOfAnEndedExecution();

    await invoke(
      'StartDeploymentFromArtifact',
      createStartDeploymentFromArtifact(portsOf('StartDeploymentFromArtifact')),
      {
        version: '0',
        source: 'aws.s3',
        'detail-type': 'Object Created',
        account: '123456789012',
        time: world.clock.now().toISOString(),
        region,
        resources: [
          `arn:aws:s3:::${template.physicalName(template.logicalIdOf('AWS::S3::Bucket', 'Artifacts'))}`,
        ],
        detail: {
          version: '0',
          bucket: { name: template.physicalName(template.logicalIdOf('AWS::S3::Bucket', 'Artifacts')) },
          object: {
            key: 'web/staging/8.0.0.tgz',
            size: 1024,
            etag: 'abc123',
            'version-id': 'v8',
            sequencer: '01',
          },
          'request-id': 'R1',
          requester: '123456789012',
          'source-ip-address': '10.0.0.1',
          reason: 'PutObject',
        },
      },
    );
    await invoke('StartCongruenceRun', createStartCongruenceRun(portsOf('StartCongruenceRun')), {
      service: 'web',
      environment: 'staging',
    });
    for (const text of ['status web staging', 'history web staging', 'rollback web staging'])
      await invoke(
        'SlackCommands',
        createSlackCommands(portsOf('SlackCommands')),
        signedEvent(
          new URLSearchParams({
            command: '/bakeshift',
            text,
            user_id: ALICE_SLACK_ID,
            user_name: 'alice',
          }).toString(),
          world.clock.now(),
        ),
      );
    // What the janitor is for: an image nothing needs and a builder an abandoned bake left.
    cloud.addImage('ami-orphan', [
      { Key: 'managed-by', Value: 'bakeshift' },
      { Key: 'bakeshift:service', Value: 'web' },
      { Key: 'bakeshift:version', Value: '0.0.1' },
      { Key: 'bakeshift:bake-key', Value: 'orphan' },
      { Key: 'bakeshift:deployment', Value: 'web-staging-long-gone' },
    ]);
    await launchForgottenBuilder(setup.clientsOf().ec2);
    const janitorPorts = world.portsOf('RunJanitor');
    await runAsFunction('RunJanitor', () =>
      runAwsJanitor({ clients: setup.clientsOf(), ...janitorPorts }, 'web', {
        dryRun: false,
      }),
    );
    await runOperatorFlows({
      setup,
      template,
      dynamoEndpoint: dynamo.endpoint,
      portsOf: portsOf as never,
      approvalAsked: () => slack.approvalIdAsked(20_000),
    });
    // RestoreTraffic and RecordRollback fail for good: AnnounceOutcome reads the listener and says traffic is in
    // doubt. (Last of all: the listener stays where green's failure left it.)
    world.faults.push(
      { stateName: 'WatchGreen', when: 'before' },
      { stateName: 'RestoreTraffic', when: 'before' },
      { stateName: 'RecordRollback', when: 'before' },
    );
    const doubtful = await startThroughStepFunctions('8.9.9-in-doubt');
    if (doubtful !== 'FAILED') throw new Error(`oracle flow: traffic in doubt: ${doubtful}`);
    world.faults.length = 0;
  } finally {
    cloud.detach();
    await slack.stop();
  }
  return cloud.calls;
}

/** A function URL event carrying a request signed as Slack signs it. */
function signedEvent(rawBody: string, now: Date): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: signSlackRequest(rawBody, SIGNING_SECRET, Math.floor(now.getTime() / 1000)),
    body: rawBody,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
  };
}
