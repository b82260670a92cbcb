import { describe, expect, it } from 'vitest';
import { readAll, readFirst, readUpTo, TooManyPages } from '../../shared-adapters/paging/read-pages.js';

/** A paginator that never ends (a service answering a token forever), counting the pages it gave. */
function endless() {
  const source = { pages: 0 };
  const pages = (async function* () {
    for (;;) yield { Items: [++source.pages] };
  })();
  return { source, pages };
}

describe('reading pages (ADR 36)', () => {
  it('reads every page in order', async () => {
    const pages = (async function* () {
      yield { Items: [1, 2] };
      yield { Items: [] };
      yield { Items: [3] };
    })();
    expect(await readAll('Test', pages, (p) => p.Items)).toEqual([1, 2, 3]);
  });

  it('is bounded: past the bound nothing is decided from a partial list', async () => {
    const { source, pages } = endless();
    await expect(readAll('DescribeThings', pages, (p) => p.Items, 5)).rejects.toThrow(
      new TooManyPages('DescribeThings', 5),
    );
    expect(source.pages).toBe(6);
  });

  it('reads only the first pages for a person, and only the pages the first items take', async () => {
    const first = endless();
    expect(await readFirst(first.pages, (p) => p.Items, 3)).toEqual([1, 2, 3]);
    expect(first.source.pages).toBe(3);
    const upTo = endless();
    expect(await readUpTo('Query', upTo.pages, (p) => p.Items, 2)).toEqual([1, 2]);
    expect(upTo.source.pages).toBe(2);
    await expect(readUpTo('Query', endless().pages, () => [], 2, 4)).rejects.toThrow(TooManyPages);
  });
});
