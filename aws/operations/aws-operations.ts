import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, paginateGetExecutionHistory } from '@aws-sdk/client-sfn';
import { BakeshiftError, NotFound, Refused } from '../../core/errors.js';
import { checkFreezes, freezesInForce } from '../../core/freezes/freeze-operations.js';
import { checkFreezeScope } from '../../core/freezes/freeze-scope.js';
import { checkVersion } from '../../core/operations/check-version.js';
import { deploymentOutlook } from '../../core/operations/deployment-outlook.js';
import type { OperationInput, OperationName } from '../../core/operations/operation-inputs.js';
import { fillPath, OPERATION_ROUTES, refusalOfStatus } from '../../core/operations/operation-routes.js';
import type { OperationResults, Operations } from '../../core/operations/operations.js';
import { readDeploymentMetrics } from '../../core/operations/read-deployment-metrics.js';
import { readStatus } from '../../core/operations/read-status.js';
import { startPromotion } from '../../core/operations/start-promotion.js';
import { startRollback } from '../../core/operations/start-rollback.js';
import { systemClock } from '../../core/ports/clock.js';
import { readStats, statsPeriod } from '../../core/stats/read-stats.js';
import { readManifest } from '../../shared-adapters/artifacts/read-manifest.js';
import { readFirst } from '../../shared-adapters/paging/read-pages.js';
import { DynamoDbReleaseStore } from '../../shared-adapters/release-store/dynamodb-release-store.js';
import { AwsSettings, OPERATOR_PARAMETER } from '../commons/aws-settings.js';
import { SsmServiceConfigs } from '../configs/ssm-service-configs.js';
import { FleetDirectory } from '../fleets/fleet-directory.js';
import { CloudWatchTrafficMetrics } from '../metrics/cloudwatch-traffic-metrics.js';
import { StepFunctionsStarter } from '../starter/step-functions-starter.js';
import { AlbTraffic } from '../traffic/alb-traffic.js';
import { TargetGroupHealth } from '../traffic/target-group-health.js';
import { artifactKey, deploymentOfUpload, uploadArtifact } from './artifact-upload.js';
import type { AwsOperatorClients } from './aws-operator-clients.js';
import { executionArnOf, stepEventsOf } from './execution-history.js';
import { readEvents, readInstanceLogs } from './log-reader.js';

/** Bounds one read of an execution's history: 25 pages of 1,000 events, far beyond any deployment's. */
const MAX_HISTORY_PAGES = 25;

/**
 * The operator's operations on AWS, called with the operator's own credentials: the release table, Step
 * Functions, the artifact bucket, CloudWatch Logs; approvals through the IAM-authenticated decision endpoint;
 * congruence runs and the janitor through their functions. What each needs is in aws/operations/iam.ts.
 */
export class AwsOperations implements Operations {
  private readonly settings: AwsSettings;
  private readonly configs: SsmServiceConfigs;
  private storeOf: Promise<DynamoDbReleaseStore> | undefined;

  constructor(private readonly clients: AwsOperatorClients) {
    this.settings = new AwsSettings(clients.ssm);
    this.configs = new SsmServiceConfigs(clients.ssm);
  }

  private operator() {
    return this.settings.operator().catch((error: Error) => {
      if (error.name !== 'ParameterNotFound') throw error;
      throw new NotFound(
        `no bakeshift stack in this account and region (no SSM parameter ${OPERATOR_PARAMETER}): deploy it with \`npx cdk deploy\`, or give --region`,
      );
    });
  }

  private store(): Promise<DynamoDbReleaseStore> {
    this.storeOf ??= this.operator().then(
      (o) => new DynamoDbReleaseStore(this.clients.dynamo, o.releaseTable),
    );
    return this.storeOf;
  }

  private async starter() {
    return new StepFunctionsStarter(this.clients.sfn, (await this.operator()).stateMachineArn);
  }

  async status(): Promise<OperationResults['status']> {
    const operator = await this.operator();
    const directory = new FleetDirectory(this.clients.autoScaling);
    const clients = { elb: this.clients.elb, autoScaling: this.clients.autoScaling };
    const traffic = new AlbTraffic(clients, this.settings, directory);
    return readStatus({
      configs: Object.assign(this.configs, { services: async () => operator.services }),
      store: await this.store(),
      serving: {
        endpoints: async (service, environment) => {
          const settings = await this.settings.environment(service, environment).catch(() => undefined);
          return settings && { url: settings.url ?? null, previewUrl: settings.previewUrl };
        },
        instanceCount: async (fleetId) => (await directory.byFleet(fleetId))?.group.Instances?.length ?? 0,
        traffic: async (service, environment) => (await traffic.current({ service, environment })).weights,
        congruenceSchedules: () => [],
      },
    });
  }

  async deploy(input: OperationInput<'deploy'>): Promise<OperationResults['deploy']> {
    await this.checkDeployable(input);
    await checkFreezes(await this.store(), { ...input, trigger: 'artifact' }, systemClock.now());
    // S3's ETag of a single PUT to an SSE-S3 bucket is the MD5 of its bytes: the same content, the same digest.
    const digest = createHash('md5')
      .update(await readFile(input.artifactFile))
      .digest('hex');
    const version = await checkVersion(await this.store(), { ...input, digest });
    if (version.outcome === 'already-live')
      return { deploymentId: version.deploymentId, started: false, alreadyLive: true };
    if (version.outcome === 'in-flight') return { deploymentId: version.deploymentId, started: false };
    const key = artifactKey(input.service, input.environment, input.version);
    const upload = await uploadArtifact(this.clients.s3, {
      bucket: (await this.operator()).artifactBucket,
      key,
      file: input.artifactFile,
      by: input.requestedBy ?? 'cli',
    });
    const record = await deploymentOfUpload(await this.store(), { ...input, key }, upload);
    return { deploymentId: record.deploymentId, started: true };
  }

  /** Before anything is uploaded: the stack has the service and environment, the artifact a valid manifest. */
  private async checkDeployable(input: OperationInput<'deploy'>): Promise<void> {
    const { services } = await this.operator();
    if (!services.includes(input.service))
      throw new NotFound(
        `no service ${input.service} on this stack (it has ${services.join(', ') || 'none'}): add it to the CDK app's services and deploy`,
      );
    const { config, source } = await this.configs.load(input.service);
    const configured = Object.keys(config.environments);
    if (!configured.includes(input.environment))
      throw new NotFound(
        `${source}: service ${input.service} has no environment ${input.environment} (it has ${configured.join(', ')})`,
      );
    await readManifest(input.artifactFile).catch((error: Error) => {
      throw new Refused(`${input.artifactFile}: ${error.message}; nothing was uploaded`);
    });
  }

  async deployment({ deploymentId }: OperationInput<'deployment'>): Promise<OperationResults['deployment']> {
    const record = (await (await this.store()).getDeployment(deploymentId)) ?? null;
    const executionArn = executionArnOf((await this.operator()).stateMachineArn, deploymentId);
    const execution = await this.clients.sfn
      .send(new DescribeExecutionCommand({ executionArn }))
      .catch((error: Error) => {
        if (error.name === 'ExecutionDoesNotExist') return undefined;
        throw error;
      });
    if (!record && !execution) throw new NotFound(`no deployment ${deploymentId}`);
    const history = execution
      ? await readFirst(
          paginateGetExecutionHistory({ client: this.clients.sfn, pageSize: 1000 }, { executionArn }),
          (page) => page.events,
          MAX_HISTORY_PAGES,
        )
      : [];
    const outlook = await deploymentOutlook({ configs: this.configs, store: await this.store() }, record);
    return { record, status: execution?.status ?? 'UNKNOWN', events: stepEventsOf(history), ...outlook };
  }

  /** CloudWatch's ALB metrics have one-minute resolution; each point is a GetMetricData, so few of them. */
  async metrics(input: OperationInput<'metrics'>): Promise<OperationResults['metrics']> {
    const directory = new FleetDirectory(this.clients.autoScaling);
    const metrics = new CloudWatchTrafficMetrics(this.clients.cloudWatch, this.settings, directory);
    return readDeploymentMetrics({ store: await this.store(), metrics, clock: systemClock }, input, {
      minPeriodSeconds: 60,
      maxPoints: 15,
    });
  }

  async history({ service, environment, limit }: OperationInput<'history'>) {
    return (await this.store()).listDeployments(service, environment, limit);
  }

  /**
   * The environment's instance logs, filtered. A deployment's: its environment's output while it ran (its green
   * instances may be gone, and with them the names of their streams).
   */
  async logs(input: OperationInput<'logs'>): Promise<OperationResults['logs']> {
    const record = input.deploymentId
      ? await (await this.store()).getDeployment(input.deploymentId)
      : undefined;
    if (input.deploymentId && !record) throw new NotFound(`no deployment ${input.deploymentId}`);
    const where = record ?? { service: input.service, environment: input.environment };
    const from = [record?.requestedAt, input.since].flatMap((t) => (t ? [Date.parse(t)] : []));
    return readInstanceLogs(
      this.clients.logs,
      `/bakeshift/${where.service}/${where.environment}`,
      input.lines,
      {
        ...(from.length ? { startTime: Math.max(...from) } : {}),
        ...(record?.finishedAt ? { endTime: Date.parse(record.finishedAt) + 60_000 } : {}),
        ...(input.instanceId ? { instanceId: input.instanceId } : {}),
      },
    );
  }

  async events({ after }: OperationInput<'events'>): Promise<OperationResults['events']> {
    return readEvents(this.clients.logs, (await this.operator()).eventsLogGroup, after);
  }

  async decide(input: OperationInput<'decide'>): Promise<OperationResults['decide']> {
    return this.throughEndpoint('decide', { deploymentId: input.deploymentId, approve: input.approve });
  }

  /** Freezes, their lifting and overrides go through the decision endpoint: done as the caller's IAM identity. */
  async freeze({ by: _, via: __, ...input }: OperationInput<'freeze'>): Promise<OperationResults['freeze']> {
    const { services } = await this.operator();
    await checkFreezeScope(
      { load: (service) => this.configs.load(service), services: async () => services },
      input,
    );
    return this.throughEndpoint('freeze', input);
  }

  async unfreeze({
    by: _,
    via: __,
    ...input
  }: OperationInput<'unfreeze'>): Promise<OperationResults['unfreeze']> {
    return this.throughEndpoint('unfreeze', input);
  }

  async freezes(): Promise<OperationResults['freezes']> {
    return { freezes: await freezesInForce({ store: await this.store(), clock: systemClock }) };
  }

  async overrideFreeze({
    by: _,
    via: __,
    ...input
  }: OperationInput<'overrideFreeze'>): Promise<OperationResults['overrideFreeze']> {
    return this.throughEndpoint('overrideFreeze', input);
  }

  async stats(input: OperationInput<'stats'>): Promise<OperationResults['stats']> {
    const { services } = await this.operator();
    const configs = Object.assign(this.configs, { services: async () => services });
    const period = statsPeriod(input.since, systemClock.now());
    return {
      figures: await readStats({ store: await this.store(), configs }, { service: input.service, ...period }),
    };
  }

  /** An operation of the IAM-authenticated decision endpoint: it acts as the caller AWS authenticated. */
  private async throughEndpoint<N extends OperationName>(
    name: N,
    input: Record<string, unknown>,
  ): Promise<OperationResults[N]> {
    const { path, rest } = fillPath(OPERATION_ROUTES[name], input);
    const url = new URL(path, (await this.operator()).decisionUrl).toString();
    const answer = await this.clients.signedPost(url, rest);
    const body = answer.body as { error?: string; message?: string };
    if (answer.status === 200 && !body.error) return answer.body as OperationResults[N];
    throw new BakeshiftError(
      refusalOfStatus(answer.status),
      body.error ?? body.message ?? `the decision endpoint answered ${answer.status}`,
    );
  }

  async promote(input: OperationInput<'promote'>): Promise<OperationResults['promote']> {
    const health = new TargetGroupHealth(this.clients.elb, new FleetDirectory(this.clients.autoScaling));
    const deps = { store: await this.store(), configs: this.configs, clock: systemClock, health };
    return startPromotion({ ...deps, starter: await this.starter() }, input);
  }

  async rollback(input: OperationInput<'rollback'>): Promise<OperationResults['rollback']> {
    const deps = { store: await this.store(), clock: systemClock, starter: await this.starter() };
    return startRollback(deps, input);
  }

  async congruence(input: OperationInput<'congruence'>): Promise<OperationResults['congruence']> {
    const summary = await this.invoke<{ started: boolean; deploymentId?: string; reason?: string }>(
      (await this.operator()).congruenceFunction,
      input,
    );
    if (!summary.started || !summary.deploymentId)
      throw new Refused(
        `${input.service}/${input.environment}: no congruence run (${summary.reason ?? 'no reason given'})`,
      );
    return { deploymentId: summary.deploymentId };
  }

  async janitor({ dryRun }: OperationInput<'janitor'>): Promise<OperationResults['janitor']> {
    const operator = await this.operator();
    const reports = [];
    for (const service of operator.services)
      reports.push(
        await this.invoke<OperationResults['janitor'][number]>(operator.janitorFunction, { service, dryRun }),
      );
    return reports;
  }

  /** Invokes one of bakeshift's functions and returns its result; its error, named, when it failed. */
  private async invoke<T>(functionName: string, payload: unknown): Promise<T> {
    const { Payload, FunctionError } = await this.clients.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const result = JSON.parse(new TextDecoder().decode(Payload ?? new Uint8Array()) || 'null') as
      | (T & { errorType?: string; errorMessage?: string })
      | null;
    if (FunctionError || !result)
      throw new BakeshiftError(
        result?.errorType ?? 'FunctionError',
        result?.errorMessage ?? `${functionName} failed`,
      );
    return result;
  }
}
