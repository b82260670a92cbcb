import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseRootfs } from '../boot/machine.js';
import { AwsSecretsStandIn } from '../support/aws-secrets-stand-in.js';
import { S3StandIn } from '../support/s3-stand-in.js';

/**
 * The boot test's failure path (`npm run test:boot` needs root, debootstrap and systemd-nspawn): without a tool it
 * fails at once with the reason, and its teardown ends at once (it used to wait 20 minutes in afterAll).
 */
const scratch = await mkdtemp(join(tmpdir(), 'bakeshift-boot-harness-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
const SCRIPT = new URL('../boot/build-base-rootfs.sh', import.meta.url).pathname;
const BASH = ['/bin/bash', '/usr/bin/bash'].find((path) => existsSync(path)) ?? 'bash';

/** Resolves with the promise's outcome, or 'still waiting' after `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms)),
  ]);

describe('the boot test without debootstrap', () => {
  it('the root file system build names the missing tool and exits 3, making nothing', () => {
    const emptyPath = join(scratch, 'no-tools');
    const started = Date.now();
    const build = spawnSync(BASH, [SCRIPT, join(scratch, 'root')], {
      env: { PATH: emptyPath },
      encoding: 'utf8',
    });
    expect(build.status).toBe(3);
    expect(build.stderr).toContain(
      'the boot test needs debootstrap: apt-get install -y debootstrap systemd-container',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(existsSync(join(scratch, 'root.partial'))).toBe(false);
  });

  it('baseRootfs fails with that reason at once', async () => {
    const onlyBash = await mkdtemp(join(scratch, 'only-bash-'));
    await symlink(BASH, join(onlyBash, 'bash'));
    const path = process.env.PATH;
    process.env.PATH = onlyBash;
    try {
      const outcome = await within(
        baseRootfs(join(scratch, 'base')).then(
          () => 'built',
          (error: Error) => error.message,
        ),
        10_000,
      );
      expect(outcome).toBe(
        'the boot test cannot build its root file system (exit 3): the boot test needs debootstrap: apt-get install -y debootstrap systemd-container',
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('its teardown ends at once: the stand-ins its setup never started stop without waiting', async () => {
    expect(await within(new S3StandIn().stop(), 1000)).toBeUndefined();
    expect(await within(new AwsSecretsStandIn('eu-west-1').stop(), 1000)).toBeUndefined();
  });
});
