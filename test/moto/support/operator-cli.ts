import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { expect } from 'vitest';
import type { LocalExecution } from '../../../local/engine/local-execution.js';
import { bakeshiftOnAws, PEOPLE, type Person } from '../../support/operator-stand-ins.js';
import { worldClients } from './moto-state.js';
import type { MotoWorld } from './moto-world.js';
import { eventually, helloApp } from './scenario.js';
import { motoClientConfig } from './stack-in-moto.js';

export { PEOPLE };

/** The alarm prod's analysis names (test/moto/services/web.json). */
export const ALARM = 'web-prod-errors';

/**
 * What prod's configuration names, made for a scenario: its pre-traffic test function (the test's own, passing
 * or not) and its alarm, in OK (an alarm not firing rolls nothing back).
 */
export async function prodChecks(world: MotoWorld, preTraffic: { passed: boolean }): Promise<void> {
  world.testFunctions.set('bakeshift-pretraffic-web', async () => ({
    ...preTraffic,
    output: preTraffic.passed ? 'smoke tests passed' : 'GET /health answered 500',
  }));
  await new CloudWatchClient(motoClientConfig(world.front.endpoint)).send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
}

/**
 * `bakeshift <args> --target aws --json` (the real CLI, in this process) as a person with their own credentials,
 * against what the stack made in moto: what it printed, parsed. Fails the test on anything on stderr.
 */
export async function bakeshift<T = Record<string, unknown>>(
  world: MotoWorld,
  person: Person,
  ...args: string[]
): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'bakeshift-moto-cli-'));
  const run = await bakeshiftOnAws(person, world.front.endpoint, home, [...args, '--json']).finally(() =>
    rm(home, { recursive: true, force: true }),
  );
  expect(run.err, `bakeshift ${args.join(' ')}`).toBe('');
  expect(run.status, `bakeshift ${args.join(' ')}`).toBe(0);
  return JSON.parse(run.out.join('\n')) as T;
}

/** `bakeshift deploy web <the hello app as version> --env <environment> --version <version> --no-follow`, as the deployer. */
export async function deploy(world: MotoWorld, environment: string, version: string): Promise<string> {
  const app = await helloApp(version);
  const { deploymentId } = await bakeshift<{ deploymentId: string }>(
    world,
    PEOPLE.deployer,
    'deploy',
    'web',
    app,
    '--env',
    environment,
    '--version',
    version,
    '--no-follow',
  ).finally(() => rm(app, { recursive: true, force: true }));
  return deploymentId;
}

/** Waits for the deployment to ask for approval, then `bakeshift approve` as the approver (the decision URL). */
export async function approve(world: MotoWorld, deploymentId: string): Promise<void> {
  const { store } = worldClients(world);
  await eventually(
    async () => (await store.approvalOf(deploymentId)) ?? undefined,
    `the approval of ${deploymentId}`,
  );
  const decided = await bakeshift<{ outcome: string }>(world, PEOPLE.approver, 'approve', deploymentId);
  expect(decided.outcome).toBe('approved');
}

/** The execution of a deployment started through moto's Step Functions endpoint. */
export async function executionOf(world: MotoWorld, deploymentId: string): Promise<LocalExecution> {
  return eventually(
    async () => world.stepFunctions.executions.get(deploymentId),
    `the execution of ${deploymentId}`,
  );
}
