import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LaunchFailed } from '../../core/errors.js';
import { LocalSecrets } from '../../local/fleets/local-secrets.js';

let dir: string;
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `constructor` and `toString` are valid SSM parameter names: the file's own entries alone answer them. */
describe('local secrets: a reference named like an object property', () => {
  it.each(['constructor', 'toString', '__proto__'])(
    'a missing "%s" fails the launch naming it, as any missing secret does',
    async (reference) => {
      dir = dir ?? (await mkdtemp(join(tmpdir(), 'bakeshift-local-secrets-')));
      const file = join(dir, 'secrets.json');
      await writeFile(file, JSON.stringify({ other: 'x' }));
      await chmod(file, 0o600);
      const resolving = new LocalSecrets(file).resolve({ TOKEN: reference });
      await expect(resolving).rejects.toBeInstanceOf(LaunchFailed);
      await expect(resolving).rejects.toThrow(`no secret "${reference}" (the environment's secrets.TOKEN)`);
    },
  );
});
