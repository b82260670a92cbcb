import { describe, expect, it } from 'vitest';
import { handleSlashCommand } from '../../chatops/slack/slash-command.js';
import { signSlackRequest } from '../../chatops/slack/verify-slack-request.js';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import { FakeWorld, webConfig } from '../support/fake-world.js';

const SECRET = 'test-signing-secret';

async function setUp() {
  const world = new FakeWorld();
  const config = webConfig() as ReturnType<typeof webConfig> & {
    environments: { staging: Record<string, unknown> };
  };
  Object.assign(config.environments.staging, {
    slack: { channel: 'C-STAGING', rollbackAllowlist: ['U0CAROL01'] },
  });
  world.configs.set('web', config);
  const v1 = await world.deploy({ version: '1.0.0' });
  await world.deploy({ version: '2.0.0' });
  const started: DeploymentRequest[] = [];
  const command = (text: string, user = { id: 'U0CAROL01', name: 'carol' }, secret = SECRET) => {
    const rawBody = new URLSearchParams({
      command: '/bakeshift',
      text,
      user_id: user.id,
      user_name: user.name,
    }).toString();
    const headers = signSlackRequest(rawBody, secret, Math.floor(world.clock.now().getTime() / 1000));
    return handleSlashCommand(
      { headers, rawBody },
      {
        store: world.store,
        configs: world.configs,
        clock: world.clock,
        signingSecret: SECRET,
        starter: {
          start: async (request) => {
            started.push(request);
            world.start(request);
            return { started: true };
          },
        },
      },
    );
  };
  const text = (response: { body: string }) => (JSON.parse(response.body) as { text: string }).text;
  return { world, command, text, started, v1 };
}

describe('/bakeshift', () => {
  it("refuses a rollback replayed within Slack's signature window: the same signed request starts nothing twice", async () => {
    const { world, text, started } = await setUp();
    const rawBody = new URLSearchParams({
      command: '/bakeshift',
      text: 'rollback web staging',
      user_id: 'U0CAROL01',
      trigger_id: '13345224609.738474920.8088930838d88f008e0',
    }).toString();
    const headers = signSlackRequest(rawBody, SECRET, Math.floor(world.clock.now().getTime() / 1000));
    const deps = {
      store: world.store,
      configs: world.configs,
      clock: world.clock,
      signingSecret: SECRET,
      starter: {
        start: async (request: DeploymentRequest) => {
          started.push(request);
          return { started: true };
        },
      },
    };
    expect(text(await handleSlashCommand({ headers, rawBody }, deps))).toContain('Rolling web/staging back');
    world.clock.advance(120); // within the 5-minute window
    const replay = await handleSlashCommand({ headers, rawBody }, deps);
    expect(replay).toEqual({
      status: 409,
      body: 'this request was received already (a replay): nothing was started',
    });
    expect(started).toHaveLength(1);
  });

  it('status and history answer privately, with what is live and what happened', async () => {
    const { command, text } = await setUp();
    expect(text(await command('status web'))).toMatch(
      /^• web\/staging: 2\.0\.0 \(image-2\) since .*\n• web\/prod: nothing live$/,
    );
    const history = text(await command('history web staging'));
    expect(history.split('\n')).toHaveLength(2);
    expect(history).toContain('2.0.0 succeeded (artifact by test)');
  });

  it('rollback, for someone on the allowlist, redeploys the previous release’s image by blue/green', async () => {
    const { world, command, text, started, v1 } = await setUp();
    const reply = text(await command('rollback web staging'));
    expect(reply).toContain(`Rolling web/staging back to 1.0.0 (${v1.record?.imageId}) by blue/green`);
    expect(started).toEqual([
      expect.objectContaining({
        trigger: 'rollback',
        imageId: v1.record?.imageId,
        version: '1.0.0',
        requestedBy: 'slack:U0CAROL01',
      }),
    ]);
    const outcome = await world.engine.get(started[0]?.deploymentId ?? '')?.outcome;
    expect(outcome?.status).toBe('SUCCEEDED');
    expect((await world.store.getLiveRelease('web', 'staging'))?.version).toBe('1.0.0');
  });

  it('refuses a rollback to someone not on the allowlist, and an unsigned or forged request', async () => {
    const { command, text, started } = await setUp();
    expect(text(await command('rollback web staging', { id: 'U0DAVE001', name: 'dave' }))).toBe(
      'Only <@U0CAROL01> may roll back web/staging.',
    );
    // By user id only: carol's name (or her id as a name) from another user changes nothing.
    for (const name of ['carol', 'U0CAROL01'])
      expect(text(await command('rollback web staging', { id: 'U0DAVE001', name }))).toBe(
        'Only <@U0CAROL01> may roll back web/staging.',
      );
    expect(await command('rollback web staging', undefined, 'forged')).toMatchObject({ status: 401 });
    expect(started).toEqual([]);
  });

  it('explains its usage and unknown services', async () => {
    const { command, text } = await setUp();
    expect(text(await command(''))).toBe(
      'Usage: /bakeshift status|history|rollback <service> [environment] [version]',
    );
    expect(text(await command('status nope'))).toContain('no configuration for service nope');
  });
});
