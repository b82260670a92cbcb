import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceUserData } from '../../aws/fleets/instance-user-data.js';
import { environmentOf, parseServiceConfig } from '../../core/config/service-config.js';
import { webConfig } from '../support/fake-world.js';
import { UserDataSandbox } from '../support/user-data-sandbox.js';

/**
 * An environment's variables on their way to a fleet instance: the user data as EC2 gets it, decoded and run by
 * the real bash (as cloud-init runs it, in a sandbox), and the environment file it leaves read back by bash
 * under the POSIX double-quote rules systemd.exec(5) gives for EnvironmentFile= values. The boot test
 * (test/boot/instance-environment.test.ts) reads the same file with systemd itself.
 */

const sandbox = new UserDataSandbox();
beforeAll(() => sandbox.start());
afterAll(() => sandbox.stop());

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');
const userDataFor = (variables: Record<string, string>) =>
  decode(instanceUserData({ variables, port: 8080, drainSeconds: 60, logGroup: '/bakeshift/web/staging' }));
const configWith = (variables: Record<string, string>) => {
  const config = webConfig();
  return { ...config, environments: { staging: { ...config.environments.staging, variables } } };
};

/**
 * What no process environment (NUL), no UTF-8 (a lone surrogate) or systemd (noncharacters) can carry, and what
 * hides or reorders text in the file (ADR 52): controls but tab, LF and CR; bidirectional controls; invisible
 * characters; tags outside an emoji tag sequence.
 */
const uncarriable = (value: string) =>
  value.includes('\0') ||
  !(value as unknown as { isWellFormed(): boolean }).isWellFormed() ||
  /\p{Noncharacter_Code_Point}/u.test(value) ||
  /(?![\t\n\r])\p{Cc}/u.test(value) ||
  /[\u202A-\u202E\u2066-\u2069\u200B\u2060-\u2064\u206A-\u206F\uFEFF\u180E\uFFF9-\uFFFB]/.test(value) ||
  /[\u{E0001}\u{E0020}-\u{E007F}]/u.test(value.replace(/\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu, ''));

describe("an environment's variables reach the instance exactly, and nothing else runs", () => {
  it('a value with a line that ends the old heredoc, and commands after it: no command runs, the value arrives whole', async () => {
    const marker = join(tmpdir(), `bakeshift-heredoc-escape-${process.pid}`);
    await rm(marker, { force: true });
    const certificate = `-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nENV\ntouch ${marker}\ncat > /dev/null <<'ENV'\n-----END CERTIFICATE-----\n`;
    const config = parseServiceConfig(configWith({ TLS_CERT: certificate }), 'services/web.json');
    const variables = environmentOf(config, 'staging', 'services/web.json').variables;

    const run = await sandbox.run(userDataFor(variables), ['TLS_CERT', 'PORT', 'HOST']);

    expect(existsSync(marker)).toBe(false);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.parsed.get('TLS_CERT')).toBe(certificate);
    expect(run.parsed.get('PORT')).toBe('8080');
    expect(run.systemctl).toEqual(['daemon-reload', 'restart bakeshift-app.service']);
    expect([...run.files.keys()].sort()).toEqual([
      '/etc/bakeshift/app.env',
      '/etc/systemd/system/bakeshift-app.service.d/stop.conf',
    ]);
    await rm(marker, { force: true });
  });

  it('any string the configuration accepts round-trips exactly; it refuses exactly NUL, lone surrogates, noncharacters, controls but tab, LF and CR, bidirectional controls and invisible characters (ADR 52), naming the variable', async () => {
    const hostile = fc.string({
      unit: fc.constantFrom(
        '\n',
        '\r',
        '\r\n',
        '\nENV\n',
        'ENV',
        'UNIT',
        '"',
        "'",
        '$',
        '${',
        'HOME}',
        '$(id)',
        '`',
        '\\',
        '\\\n',
        '=',
        '#',
        ';',
        ' ',
        '\t',
        'é',
        '😀',
        '\u2028',
        '\u200D',
        '\u200C',
        '\u00AD',
        '\u200F',
      ),
      maxLength: 12,
    });
    const refused = fc.constantFrom(
      '\0',
      '\uD800',
      '\uDFFF',
      '\uFDD0',
      '\uFDEF',
      '\uFFFE',
      '\u{1FFFF}',
      '\u{10FFFE}',
      '\uFEFF',
      '\u200B',
      '\u202E',
      '\u2066',
      '\u0085',
      '\x7f',
      '\x1b',
      '\u{E0041}',
    );
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
      hostile,
      fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), refused).map(([a, b]) => a + b),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 4 }), async (values) => {
        const variables = Object.fromEntries(values.map((v, i) => [`V${i}`, v]));
        const bad = values.findIndex(uncarriable);
        if (bad >= 0) {
          expect(() => parseServiceConfig(configWith(variables), 'services/web.json')).toThrow(
            `services/web.json: environments.staging.variables.V${bad}: the value contains`,
          );
          return;
        }
        const config = parseServiceConfig(configWith(variables), 'services/web.json');
        const run = await sandbox.run(userDataFor(config.environments.staging?.variables ?? {}), [
          ...Object.keys(variables),
          'PORT',
          'HOST',
        ]);
        expect(run.exitCode).toBe(0);
        expect([...run.files.keys()].sort()).toEqual([
          '/etc/bakeshift/app.env',
          '/etc/systemd/system/bakeshift-app.service.d/stop.conf',
        ]);
        expect(Object.fromEntries(run.parsed)).toEqual({ ...variables, PORT: '8080', HOST: '0.0.0.0' });
        expect(run.systemctl).toEqual(['daemon-reload', 'restart bakeshift-app.service']);
      }),
      { numRuns: 80 },
    );
  }, 60_000);
});
