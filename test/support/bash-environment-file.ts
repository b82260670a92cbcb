import { execFileSync } from 'node:child_process';

/**
 * An environment file as bash reads it (`set -a; . file`), for the names asked (tests only). bash's double
 * quotes follow the POSIX rules systemd.exec(5) gives EnvironmentFile= double-quoted values (`\` escapes only
 * `"`, `\`, `` ` ``, `$` and a newline), so for the files bakeshift writes it reads what systemd reads; the boot
 * test reads them with systemd itself.
 */
export function readWithBash(file: string, names: string[]): Map<string, string> {
  const out = execFileSync('env', [
    '-i',
    'bash',
    '-c',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's indirect expansion, not a template
    'set -a; . "$1"; shift; for n in "$@"; do printf "%s=%s\\0" "$n" "${!n}"; done',
    '_',
    file,
    ...names,
  ]);
  const pairs = new Map<string, string>();
  for (const pair of out.toString('utf8').split('\0').filter(Boolean)) {
    const at = pair.indexOf('=');
    pairs.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return pairs;
}
