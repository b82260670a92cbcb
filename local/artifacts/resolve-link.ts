/** What a path inside an image is, as far as resolving links needs: a link and its target, or anything else. */
export type ImageNode = { kind: 'link'; target: string } | { kind: 'other' } | undefined;

/** Looks a path up without following it (`a/b`, relative to the image's root; '' is the root itself). */
export type LookupNode = (path: string) => ImageNode | Promise<ImageNode>;

export type LinkResolution = { inside: true; path: string } | { inside: false; reason: string };

/** Linux's own bound on links followed in one lookup (MAXSYMLINKS): past it the kernel answers ELOOP. */
export const MAX_LINK_HOPS = 40;

/**
 * Where a link's target leads, resolved the way the kernel does (component by component, each link met spliced
 * in, `..` after a link going up from where the link leads), but confined: climbing above the image's root at any
 * step, an absolute target, and more than MAX_LINK_HOPS links in a row are each "not inside". A component that
 * does not exist is taken as written (nothing there can be a link). `fromDir` is the link's own directory.
 */
export async function resolveLink(
  lookup: LookupNode,
  fromDir: string,
  target: string,
): Promise<LinkResolution> {
  if (target.startsWith('/')) return { inside: false, reason: 'an absolute link' };
  const resolved = fromDir.split('/').filter((part) => part !== '' && part !== '.');
  const pending = target.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.length === 0) return { inside: false, reason: 'it climbs above the image root' };
      resolved.pop();
      continue;
    }
    const node = await lookup([...resolved, part].join('/'));
    if (node?.kind !== 'link') {
      resolved.push(part);
      continue;
    }
    hops += 1;
    const refusal = refusalOfLink(hops, [...resolved, part].join('/'), node.target);
    if (refusal) return { inside: false, reason: refusal };
    pending.unshift(...node.target.split('/'));
  }
  return { inside: true, path: resolved.join('/') };
}

/** Why following one more link stops the resolution, if it does. */
function refusalOfLink(hops: number, path: string, target: string): string | undefined {
  if (hops > MAX_LINK_HOPS) return `more than ${MAX_LINK_HOPS} links in a row (a loop of links)`;
  if (target.startsWith('/')) return `it goes through "${path}", an absolute link`;
  return undefined;
}
