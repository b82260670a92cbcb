import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/** Who may drive a local control plane: the holder of its token, known by the identity bound to it at `up`. */
export interface ApiAccess {
  token: string;
  /** The person the token stands for: `--as` at `up`, else the operating-system user who started it. */
  identity: string;
  /** How the identity was established, recorded with every decision. */
  establishedBy: 'local user' | 'name bound at up';
}

/** What `<home>/api.json` holds (mode 0600): the API's address and the owner's access. */
export interface ApiFile extends ApiAccess {
  url: string;
  pid: number;
}

export const apiFileOf = (home: string) => join(home, 'api.json');

/** A new token for this home, bound to `boundName` or to the operating-system user. */
export function newApiAccess(boundName?: string): ApiAccess {
  return {
    token: randomBytes(32).toString('base64url'),
    identity: boundName ?? userInfo().username,
    establishedBy: boundName ? 'name bound at up' : 'local user',
  };
}

/** Writes `<home>/api.json` readable by its owner only, in a home only its owner can enter. */
export async function writeApiFile(home: string, file: ApiFile): Promise<void> {
  await chmod(home, 0o700);
  await writeFile(apiFileOf(home), JSON.stringify(file), { mode: 0o600 });
  await chmod(apiFileOf(home), 0o600);
}

export async function readApiFile(home: string): Promise<ApiFile | undefined> {
  const text = await readFile(apiFileOf(home), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as ApiFile) : undefined;
}

/** Whether a request's `Authorization` header carries this token (compared in constant time). */
export function carriesToken(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
