/**
 * Reading an AWS SDK v3 paginator (`paginateX`) to its last page, bounded (ADR 36). A List or Describe call
 * answers one page, and a page can hold fewer items than asked for even when more remain: whatever decides
 * from a list (what is garbage, which slot is free, which fleet is green) must have all of it.
 */

/** More pages than any list bakeshift reads should have: 100 pages of 100 groups, 1,000 images or instances. */
export const MAX_PAGES = 100;

/** A list longer than the bound: acting on part of it could be wrong, so nothing is decided from it. */
export class TooManyPages extends Error {
  constructor(what: string, maxPages: number) {
    super(`${what}: more than ${maxPages} pages; nothing is decided from a partial list`);
    this.name = 'TooManyPages';
  }
}

/** Every item of every page, in order; TooManyPages past `maxPages`. */
export function readAll<Page, Item>(
  what: string,
  pages: AsyncIterable<Page>,
  itemsOf: (page: Page) => Item[] | undefined,
  maxPages = MAX_PAGES,
): Promise<Item[]> {
  return readUpTo(what, pages, itemsOf, Number.POSITIVE_INFINITY, maxPages);
}

/** The items of the first `maxPages` pages, for what a person reads (logs, an execution's history): no error. */
export async function readFirst<Page, Item>(
  pages: AsyncIterable<Page>,
  itemsOf: (page: Page) => Item[] | undefined,
  maxPages: number,
): Promise<Item[]> {
  const items: Item[] = [];
  let read = 0;
  for await (const page of pages) {
    items.push(...(itemsOf(page) ?? []));
    if (++read >= maxPages) break;
  }
  return items;
}

/** The first `count` items, reading only the pages they take (a page can be short); TooManyPages past the bound. */
export async function readUpTo<Page, Item>(
  what: string,
  pages: AsyncIterable<Page>,
  itemsOf: (page: Page) => Item[] | undefined,
  count: number,
  maxPages = MAX_PAGES,
): Promise<Item[]> {
  const items: Item[] = [];
  let read = 0;
  for await (const page of pages) {
    if (++read > maxPages) throw new TooManyPages(what, maxPages);
    items.push(...(itemsOf(page) ?? []));
    if (items.length >= count) break;
  }
  return items.slice(0, count);
}
