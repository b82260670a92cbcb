import type { LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createOperatorDecision } from '../../functions/operator-decision.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import { FakeWorld, webConfig } from '../support/fake-world.js';

const ALICE = 'arn:aws:iam::123456789012:user/alice';

/** A function URL call as Lambda hands it over once AWS checked its signature. */
const call = (path: string, body: unknown, userArn = ALICE) =>
  ({
    rawPath: path,
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn } } },
  }) as unknown as LambdaFunctionURLEventWithIAMAuthorizer;

/** The decision endpoint on AWS sets, lifts and overrides freezes as the caller AWS authenticated (functions/operator-decision.ts). */
describe('freezes through the IAM-authenticated decision endpoint', () => {
  it('records the IAM caller, not a name in the body, and lets only an approver override', async () => {
    const world = new FakeWorld();
    const config = webConfig();
    config.environments.prod.approval.approvers.push(ALICE);
    world.configs.set('web', config);
    const endpoint = createOperatorDecision({
      ...world.ports(),
      callerOf: (event) => ({
        by: event.requestContext.authorizer?.iam?.userArn ?? '',
        via: 'aws-iam',
        aliases: [],
      }),
    });
    const invoke = async (event: LambdaFunctionURLEventWithIAMAuthorizer) => {
      const answer = (await endpoint(event, localLambdaContext('OperatorDecision', 10))) as {
        statusCode: number;
        body: string;
      };
      return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
    };
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const set = await invoke(
      call('/freezes', { environment: 'prod', until, reason: 'sales', by: 'mallory' }),
    );
    expect(set.status).toBe(200);
    expect(await world.store.listFreezes()).toEqual([
      expect.objectContaining({ by: ALICE, service: '*', environment: 'prod' }),
    ]);
    expect(world.notifier.events.map((e) => e.kind)).toEqual(['frozen']);

    const override = { service: 'web', environment: 'prod', version: '2.0.0', reason: 'hotfix' };
    const refused = await invoke(
      call('/freeze-overrides', override, 'arn:aws:iam::123456789012:user/mallory'),
    );
    expect(refused.status).toBe(403);
    expect((await invoke(call('/freeze-overrides', override))).body).toMatchObject({
      by: ALICE,
      via: 'aws-iam',
    });

    expect((await invoke(call('/freezes/lifted', { environment: 'prod' }))).status).toBe(200);
    expect(await world.store.listFreezes()).toEqual([]);
    expect((await invoke(call('/freezes/lifted', { environment: 'prod' }))).status).toBe(404);
  });
});
