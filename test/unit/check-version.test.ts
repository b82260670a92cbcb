import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkVersion } from '../../core/operations/check-version.js';
import { FakeWorld } from '../support/fake-world.js';

/**
 * A version names one artifact: the same version and content again is "already live"; other content under a
 * version deployed before is refused, naming that deployment, unless the operator forces it.
 */
const digestOf = (version: string) => createHash('md5').update(version).digest('hex');
const ask = (version: string, digest: string, forceNewVersion = false) => ({
  service: 'web',
  environment: 'staging',
  version,
  digest,
  forceNewVersion,
});

describe('deploying a version again', () => {
  it('with the same content that is live: already live, nothing started', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    expect(await checkVersion(world.store, ask('1.0.0', digestOf('1.0.0')))).toEqual({
      outcome: 'already-live',
      deploymentId: v1.request.deploymentId,
    });
  });

  it('with other content: refused, naming the deployment that has the version, unless forced', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    await expect(checkVersion(world.store, ask('1.0.0', digestOf('other')))).rejects.toThrow(
      `web/staging 1.0.0: this version was deployed before with other content (${v1.request.deploymentId}, succeeded); ` +
        'give this artifact a new version (--version), or pass --force-new-version to deploy it under the same one',
    );
    await expect(checkVersion(world.store, ask('1.0.0', digestOf('other'), true))).resolves.toEqual({
      outcome: 'new',
    });
    await expect(checkVersion(world.store, ask('1.0.1', digestOf('other')))).resolves.toEqual({
      outcome: 'new',
    });
  });

  it('with the content of a release no longer live: refused, saying how to go back to it', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    await world.deploy({ version: '2.0.0' });
    await expect(checkVersion(world.store, ask('1.0.0', digestOf('1.0.0')))).rejects.toThrow(
      `web/staging 1.0.0: this artifact was deployed before (${v1.request.deploymentId}, succeeded); go back to it with \`bakeshift rollback web --env staging --to 1.0.0\``,
    );
  });
});
