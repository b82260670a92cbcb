/**
 * A systemd `EnvironmentFile=` (systemd.exec(5)) that systemd reads back to exactly these values: each value
 * double-quoted, with the four characters systemd unescapes there (`"`, `\`, `` ` ``, `$`) escaped and everything
 * else, newlines and carriage returns included, verbatim. Values must have passed `whyNotCarried` (no NUL, no
 * noncharacter). fetch-secrets.py writes the secrets file by the same rule.
 */
export function environmentFile(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => `${name}="${value.replace(/["\\`$]/g, '\\$&')}"\n`)
    .join('');
}
