import type { IncomingMessage } from 'node:http';
import { BakeshiftError, NotAllowed } from '../../core/errors.js';
import { type ApiAccess, carriesToken } from './api-access.js';

/**
 * Who is asking, before any operation runs: only the owner's token reaches the API; a request for another host
 * (a DNS-rebinding page), from another origin (any web page) or with a body that is not JSON (a browser's
 * "simple" cross-site request) is refused whatever it carries.
 */
export function guardRequest(req: IncomingMessage, access: ApiAccess, port: number): void {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = req.headers.host ?? '';
  if (!allowedHosts.includes(host))
    throw new NotAllowed(`Host "${host}" is not this API's address (${allowedHosts.join(' or ')})`);
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.some((h) => origin === `http://${h}`))
    throw new NotAllowed(`Origin "${origin}" may not call this API: only its owner's tools may`);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json')
      throw new BakeshiftError(
        'UnsupportedMediaType',
        `Content-Type must be application/json, not "${type || 'none'}"`,
      );
  }
  if (!req.headers.authorization)
    throw new BakeshiftError(
      'Unauthenticated',
      `no token: send "Authorization: Bearer <token>" (the token is in api.json)`,
    );
  if (!carriesToken(req.headers.authorization, access.token))
    throw new BakeshiftError('Unauthenticated', 'wrong token: this is not the token of this control plane');
}

/**
 * An operation's input with the authenticated identity where it names a person: a decision is made as the
 * token's owner (naming someone else is refused), a request is recorded as theirs.
 */
export function asAuthenticated(fields: Record<string, unknown>, name: string, access: ApiAccess) {
  if (['decide', 'freeze', 'unfreeze', 'overrideFreeze'].includes(name)) {
    if (fields.by !== undefined && fields.by !== access.identity)
      throw new NotAllowed(
        `decisions and freezes here are made as ${access.identity} (this token's owner, ${access.establishedBy}), not as ${String(fields.by)}`,
      );
    return { ...fields, by: access.identity, via: access.establishedBy };
  }
  return 'requestedBy' in fields || ['deploy', 'promote', 'rollback'].includes(name)
    ? { ...fields, requestedBy: access.identity }
    : fields;
}
