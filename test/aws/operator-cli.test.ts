import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamCallerOf } from '../../aws/operations/iam-caller.js';
import { createOperatorDecision } from '../../functions/operator-decision.js';
import { progressLines } from '../../local/progress/progress-printer.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { DynamoDbReleaseStore } from '../../shared-adapters/release-store/dynamodb-release-store.js';
import { awsWorld } from '../support/aws-world.js';
import {
  APPROVER_ROLE_ARN,
  bakeshiftOnAws,
  connectOperator,
  PEOPLE,
  type Person,
  startFunctionUrlStandIn,
} from '../support/operator-stand-ins.js';

/*
 * `bakeshift --target aws` as a person uses it, over the simulated cloud: the real CLI (runCli) with the
 * person's credentials in the environment, the artifact uploaded to S3, the trigger starting the real ASL, the
 * release table on dynalite, approvals through an IAM-authenticated function URL.
 */

const APP = new URL('../../examples/hello/app', import.meta.url).pathname;
const dynamo: LocalDynamoDb = await startLocalDynamoDb();
const home = mkdtempSync(join(tmpdir(), 'bakeshift-aws-cli-'));
let setup: Awaited<ReturnType<typeof awsWorld>>;
let endpoint: Awaited<ReturnType<typeof startFunctionUrlStandIn>>;
let executions: ReturnType<typeof connectOperator>['executions'];

beforeAll(async () => {
  setup = await awsWorld(dynamo, { releaseStore: 'dynamodb' });
  const { world, cloud } = setup;
  cloud.recordEveryDynamoDbClient();
  const config = structuredClone(world.configs.raw.get('web')) as {
    environments: Record<string, { approval?: { approvers: string[] } }>;
  };
  const approval = config.environments.prod?.approval;
  if (approval) approval.approvers = [APPROVER_ROLE_ARN];
  world.configs.set('web', config as never);
  endpoint = await startFunctionUrlStandIn(
    'OperatorDecision',
    createOperatorDecision({ ...world.portsOf('OperatorDecision'), callerOf: iamCallerOf }) as never,
  );
  ({ executions } = connectOperator(
    world,
    cloud,
    {
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:bakeshift-deploy',
      releaseTable: setup.table,
      artifactBucket: 'artifacts',
      services: ['web'],
      decisionUrl: endpoint.url,
      congruenceFunction: 'bakeshift-congruence',
      janitorFunction: 'bakeshift-janitor',
      eventsLogGroup: '/bakeshift/events',
    },
    config,
  ));
}, 60_000);

afterAll(async () => {
  setup.cloud.detach();
  await endpoint.stop();
  await dynamo.close();
});

/** Runs `bakeshift <args> --target aws` as a person; what it printed, and its exit status. */
const bakeshift = (person: Person, ...args: string[]) => bakeshiftOnAws(person, dynamo.endpoint, home, args);

/** The release table the functions write (the world's own store is the flow tests' fake). */
const store = () => new DynamoDbReleaseStore(setup.dynamoClient, setup.table);

/** Polls until `check` gives a value (bounded). */
async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('bakeshift --target aws (over the simulated cloud)', () => {
  it('deploy uploads to the key the trigger expects and follows to the end with the local progress lines', async () => {
    const run = await bakeshift(
      PEOPLE.deployer,
      'deploy',
      'web',
      APP,
      '--env',
      'staging',
      '--version',
      '2.0.0',
    );
    expect(run.err).toBe('');
    expect(run.status).toBe(0);
    const [upload] = setup.cloud.inputsOf('PutObject').filter((i) => i.Bucket === 'artifacts');
    expect(upload).toMatchObject({ Bucket: 'artifacts', Key: 'web/staging/2.0.0.tgz' });

    const [header, ...progress] = run.out;
    const deploymentId = /^deployment (\S+): web 2\.0\.0 to staging$/.exec(header ?? '')?.[1] ?? '';
    const execution = executions.get(deploymentId);
    expect(execution?.status).toBe('SUCCEEDED');
    // The same lines the local CLI prints, from the engine's own events of that execution.
    const local: string[] = [];
    const show = progressLines('  2.0.0', (line) => local.push(line));
    for (const event of execution?.events ?? []) show(event);
    // Between the steps, what a person needs besides them (weights, warm window, where it answers): indented.
    const story = progress.filter((line) => line.startsWith('    '));
    expect(story).toEqual([
      '    green answers at https://preview.web-staging.example.com (preview: no traffic yet)',
      '    traffic: 2.0.0 100 %',
      expect.stringMatching(
        /^ {4}blue kept warm until \d\d:\d\d:\d\d: `bakeshift rollback web --env staging` sends traffic back at once$/,
      ),
    ]);
    expect(progress.filter((line) => !story.includes(line))).toEqual(local);
    expect(progress.at(-1)).toBe('  2.0.0  deployed');
    expect(progress).toContain(progress.find((l) => /✓ ShiftTraffic \(\d+\.\ds\)$/.test(l)));
  }, 60_000);

  it('status and history read the release table; a rolled-back deploy exits 1', async () => {
    const status = await bakeshift(PEOPLE.viewer, 'status', '--json');
    expect(status.status).toBe(0);
    const staging = JSON.parse(status.out[0] ?? '{}').services.find(
      (s: { environment: string }) => s.environment === 'staging',
    );
    expect(staging).toMatchObject({ service: 'web', live: { version: '2.0.0' }, lock: null });
    expect(staging.instances).toBeGreaterThan(0);

    setup.world.faults.push({ stateName: 'ShiftTraffic', when: 'after' });
    const failed = await bakeshift(
      PEOPLE.deployer,
      'deploy',
      'web',
      APP,
      '--env',
      'staging',
      '--version',
      '2.1.0',
    );
    setup.world.faults.length = 0;
    expect(failed.status).toBe(1);
    expect(failed.out.at(-2)).toMatch(/^ {2}2\.1\.0 {2}rolled back: /);
    expect(failed.out.at(-1)).toMatch(
      /^ {2}its instances' output: bakeshift logs --deployment web-staging-[0-9a-f]+$/,
    );

    const history = await bakeshift(PEOPLE.viewer, 'history', 'web', '--env', 'staging', '--json');
    const records = JSON.parse(history.out[0] ?? '[]') as { version: string; status: string }[];
    expect(records.map((r) => [r.version, r.status])).toEqual([
      ['2.1.0', 'rolled_back'],
      ['2.0.0', 'succeeded'],
    ]);
  }, 60_000);

  it('approve decides as the caller AWS authenticated: an identity not among the approvers is refused by name', async () => {
    const started = await bakeshift(
      PEOPLE.deployer,
      'deploy',
      'web',
      APP,
      '--env',
      'prod',
      '--version',
      '2.0.0',
      '--no-follow',
    );
    expect(started.status).toBe(0);
    const deploymentId = /^deployment (\S+):/.exec(started.out[0] ?? '')?.[1] ?? '';
    await eventually(
      async () => (await store().approvalOf(deploymentId))?.approvalId,
      'the approval request',
    );

    const intruder = await bakeshift(PEOPLE.intruder, 'approve', deploymentId);
    expect(intruder.status).toBe(2);
    expect(intruder.err).toContain(PEOPLE.intruder.arn);
    expect(intruder.err).toContain(APPROVER_ROLE_ARN);
    expect((await store().approvalOf(deploymentId))?.status).toBe('pending');

    const claimed = await bakeshift(PEOPLE.intruder, 'approve', deploymentId, '--as', 'alice');
    expect(claimed.status).toBe(2);
    expect(claimed.err).toMatch(/--as is not taken on AWS/);

    const approved = await bakeshift(PEOPLE.approver, 'approve', deploymentId);
    expect(approved.err).toBe('');
    expect(approved.out).toEqual([`${deploymentId}: approved`]);
    const again = await bakeshift(PEOPLE.approver, 'approve', deploymentId);
    expect(again.status).toBe(2);
    expect(again.err).toMatch(/already approved; nothing changed/);

    await executions.get(deploymentId)?.outcome;
    const record = await store().getDeployment(deploymentId);
    expect(record).toMatchObject({
      status: 'succeeded',
      approvedBy: PEOPLE.approver.arn,
      approvedVia: 'aws-iam',
    });
    expect(endpoint.callers.map((p) => p.kind)).toEqual(['Intruder', 'Approver', 'Approver']);
  }, 60_000);

  it('logs and events come from CloudWatch Logs; janitor and congruence run their functions', async () => {
    const now = Date.now();
    setup.cloud.logEvents.set('/bakeshift/web/staging', [
      { timestamp: now, message: 'listening on 8080', logStreamName: 'i-0abc' },
    ]);
    setup.cloud.logEvents.set('/bakeshift/events', [
      {
        timestamp: now,
        message: JSON.stringify({
          time: new Date(now).toISOString(),
          detail: {
            type: 'deployment',
            kind: 'succeeded',
            service: 'web',
            environment: 'staging',
            version: '2.0.0',
          },
        }),
        logStreamName: 'events',
      },
    ]);
    const logs = await bakeshift(PEOPLE.viewer, 'logs', 'web', '--env', 'staging');
    expect(logs.out[0]).toMatch(/ i-0abc stdout: listening on 8080$/);
    const events = await bakeshift(PEOPLE.viewer, 'events');
    expect(events.out[0]).toMatch(/ succeeded web\/staging 2\.0\.0$/);

    setup.cloud.functions.set('bakeshift-janitor', async (payload) => ({
      ...(payload as object),
      removed: [],
      kept: [{ kind: 'fleet', id: 'web-staging-0001', why: ['live release of staging (2.0.0)'] }],
    }));
    setup.cloud.functions.set('bakeshift-congruence', async () => ({
      started: false,
      reason: 'nothing is live',
    }));
    const janitor = await bakeshift(PEOPLE.deployer, 'janitor', '--dry-run');
    expect(janitor.out).toEqual([
      'web: would remove nothing\n  keeps fleet web-staging-0001: live release of staging (2.0.0)',
    ]);
    const congruence = await bakeshift(PEOPLE.deployer, 'congruence', 'web', '--env', 'staging');
    expect(congruence.status).toBe(2);
    expect(congruence.err).toContain('nothing is live');
  }, 60_000);

  it('refuses bad input before anything is uploaded: unknown service or environment, an artifact without a manifest', async () => {
    const uploads = () => setup.cloud.inputsOf('PutObject').filter((i) => i.Bucket === 'artifacts').length;
    const before = uploads();
    const unknown = await bakeshift(PEOPLE.deployer, 'deploy', 'nope', APP, '--version', '1.0.0');
    expect(unknown.status).toBe(2);
    expect(unknown.err).toMatch(/no service nope on this stack \(it has web\)/);
    const environment = await bakeshift(
      PEOPLE.deployer,
      'deploy',
      'web',
      APP,
      '--env',
      'qa',
      '--version',
      '1.0.0',
    );
    expect(environment.err).toMatch(/has no environment qa \(it has staging, prod\)/);
    const bare = mkdtempSync(join(tmpdir(), 'bakeshift-bare-'));
    const noManifest = await bakeshift(PEOPLE.deployer, 'deploy', 'web', bare, '--version', '1.0.0');
    expect(noManifest.status).toBe(2);
    expect(noManifest.err).toMatch(/bakeshift\.json: missing .*nothing was uploaded/);
    expect(uploads()).toBe(before);
  }, 60_000);

  it('freeze refuses an unknown environment or service by name; a freeze refuses a deploy until it is lifted', async () => {
    const uploads = () => setup.cloud.inputsOf('PutObject').filter((i) => i.Bucket === 'artifacts').length;
    const before = uploads();
    const freeze = (...scope: string[]) =>
      bakeshift(PEOPLE.approver, 'freeze', ...scope, '--until', '2h', '--reason', 'sales');
    const environment = await freeze('--env', 'prdo');
    expect(environment.status).toBe(2);
    expect(environment.err).toContain(
      'no environment "prdo" in any service (did you mean "prod"? known: staging, prod); nothing was frozen',
    );
    const service = await freeze('--service', 'wbe', '--env', 'prod');
    expect(service.err).toContain('no service "wbe" (did you mean "web"? known: web); nothing was frozen');
    expect(await store().listFreezes()).toEqual([]);

    expect((await freeze('--service', 'web', '--env', 'staging')).status).toBe(0);
    const refused = await bakeshift(PEOPLE.deployer, 'deploy', 'web', APP, '--version', '7.7.7');
    expect(refused.status).toBe(2);
    expect(refused.err).toContain('web/staging is frozen: freeze of web/staging until');
    expect(uploads()).toBe(before);
    expect(
      (await bakeshift(PEOPLE.approver, 'unfreeze', '--service', 'web', '--env', 'staging')).status,
    ).toBe(0);
    expect(await store().listFreezes()).toEqual([]);
  }, 60_000);
});
