import { readFile, stat } from 'node:fs/promises';
import * as z from 'zod';
import { whyNotCarried } from '../../core/config/environment-value.js';
import { LaunchFailed } from '../../core/errors.js';

const Store = z.record(z.string(), z.string());

/**
 * Local mode's stand-in for SSM and Secrets Manager: `<home>/secrets.json`, a JSON object from a secret
 * reference (as the configuration names it: a parameter name or an ARN) to its value, readable by its owner
 * only (mode 0600). Read at each start of an instance, as an instance on AWS reads its secrets at each start of
 * the app; the values go into the instance's environment only, never into an image or a record.
 */
export class LocalSecrets {
  constructor(readonly file: string) {}

  /** Variable name → value for each variable name → reference; fails naming the file and the secret. */
  async resolve(secrets: Record<string, string>): Promise<Record<string, string>> {
    const wanted = Object.entries(secrets);
    if (wanted.length === 0) return {};
    const store = await this.read(wanted.map(([, reference]) => reference));
    const values: Record<string, string> = {};
    for (const [name, reference] of wanted) {
      // Own entries only: `constructor` or `toString` is a valid parameter name, not Object.prototype's.
      const value = Object.hasOwn(store, reference) ? store[reference] : undefined;
      if (value === undefined)
        throw new LaunchFailed(
          `${this.file}: no secret "${reference}" (the environment's secrets.${name}); add it: {"${reference}": "<value>"}`,
        );
      const why = whyNotCarried(value);
      if (why) throw new LaunchFailed(`${this.file}: "${reference}" (secrets.${name}): the value ${why}`);
      values[name] = value;
    }
    return values;
  }

  private async read(references: string[]): Promise<Record<string, string>> {
    const info = await stat(this.file).catch(() => undefined);
    if (!info)
      throw new LaunchFailed(
        `${this.file}: no local secrets file; create it with mode 0600 as {"<reference>": "<value>"} for ${references.join(', ')}`,
      );
    if ((info.mode & 0o077) !== 0)
      throw new LaunchFailed(
        `${this.file}: readable or writable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.file, 'utf8'));
    } catch (error) {
      throw new LaunchFailed(`${this.file}: not JSON (${(error as Error).message})`);
    }
    const parsed = Store.safeParse(raw);
    if (!parsed.success)
      throw new LaunchFailed(`${this.file}: must be a JSON object of secret reference → string value`);
    return parsed.data;
  }
}
