import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `.ci/run` checks the tools written by others that its suites need (cfn-lint, botocore, moto_server) before it
 * installs or runs anything: a machine without one fails at once, naming it and how to get it, instead of after
 * the twenty-odd minutes of the suites before the one that needs it. Run here with a PATH of stand-ins only
 * (`npm` among them, which fails loudly: reaching it means the check came too late).
 */

const CI_RUN = new URL('../../.ci/run', import.meta.url).pathname;
const TOOLS = {
  'cfn-lint': /cfn-lint is missing.*pip install cfn-lint/,
  botocore: /botocore is missing.*pip install botocore/,
  moto_server: /moto_server is missing.*pip install "moto\[server\]"/,
} as const;

/** A PATH holding `dirname` and stand-ins for every tool but `missing`, and for npm. */
function pathWithout(missing: keyof typeof TOOLS): string {
  const bin = mkdtempSync(join(tmpdir(), 'bakeshift-ci-tools-'));
  symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
  const standIn = (name: string, script: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  if (missing !== 'cfn-lint') standIn('cfn-lint', 'exit 0');
  if (missing !== 'moto_server') standIn('moto_server', 'exit 0');
  standIn('python3', missing === 'botocore' ? 'exit 1' : 'exit 0');
  standIn('npm', 'echo "npm ran: the tool check came after the suites started" >&2; exit 3');
  return bin;
}

describe('.ci/run checks every tool its suites need before anything runs', () => {
  it.each(Object.keys(TOOLS) as (keyof typeof TOOLS)[])(
    'without %s it stops first, naming it and how to get it',
    (missing) => {
      const bin = pathWithout(missing);
      const run = spawnSync('/bin/bash', [CI_RUN], {
        encoding: 'utf8',
        env: { PATH: bin, HOME: tmpdir() },
        timeout: 10_000,
      });
      rmSync(bin, { recursive: true, force: true });
      expect(run.stderr).not.toMatch(/npm ran/);
      expect(run.stderr).toMatch(TOOLS[missing]);
      expect(run.status).toBe(1);
    },
  );
});
