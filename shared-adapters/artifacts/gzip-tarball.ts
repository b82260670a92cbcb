import { open } from 'node:fs/promises';
import { BakeFailed } from '../../core/errors.js';

/** gzip's magic number (RFC 1952): every .tgz starts with it. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * Refuses a file that is not gzip-compressed before it is read as a tarball: without this, an uncompressed tar is
 * taken locally but refused by the builder on AWS (`tar -xzf`), and anything else reads as an empty archive.
 */
export async function assertGzipTarball(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    if (bytesRead < 2 || !buffer.equals(GZIP_MAGIC))
      throw new BakeFailed(
        'the artifact is not a gzip tarball (.tgz): pack it with `tar -czf`, or give `bakeshift deploy` the app directory',
      );
  } finally {
    await handle.close();
  }
}
