import * as tar from 'tar';

/** Packs a directory (an app with bakeshift.json at its root) into a .tgz artifact. */
export async function packDirectory(directory: string, file: string): Promise<void> {
  await tar.c({ gzip: true, file, cwd: directory, portable: true, noMtime: true }, ['.']);
}
