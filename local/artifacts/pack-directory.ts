import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore from 'ignore';
import * as tar from 'tar';

/** Left out whatever the ignore files say: a repository's own metadata. */
const ALWAYS_LEFT_OUT = ['.git/'];
/** Without an ignore file: what a bake reinstalls (`npm ci`) and must not be shipped from this machine. */
const LEFT_OUT_BY_DEFAULT = ['node_modules/'];

/**
 * What a directory's artifact leaves out: `.bakeshiftignore` if it has one, else `.gitignore`, else
 * `node_modules/` (gitignore patterns, read at the directory's root; `.git/` always).
 */
async function leftOut(directory: string) {
  const read = (name: string) => readFile(join(directory, name), 'utf8').catch(() => undefined);
  const patterns = (await read('.bakeshiftignore')) ?? (await read('.gitignore')) ?? LEFT_OUT_BY_DEFAULT;
  return ignore().add(ALWAYS_LEFT_OUT).add(patterns);
}

/**
 * Packs a directory (an app with bakeshift.json at its root) into a .tgz artifact, leaving out what its ignore
 * file names (see leftOut).
 */
export async function packDirectory(directory: string, file: string): Promise<void> {
  const rules = await leftOut(directory);
  await tar.c(
    {
      gzip: true,
      file,
      cwd: directory,
      portable: true,
      noMtime: true,
      filter: (path, stat) => {
        const relative = path.replace(/^\.\/?/, '');
        if (!relative) return true;
        return !rules.ignores('isDirectory' in stat && stat.isDirectory() ? `${relative}/` : relative);
      },
    },
    ['.'],
  );
}
