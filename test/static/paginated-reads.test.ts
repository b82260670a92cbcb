import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every List and Describe read to its last page (ADR 36): product code sends no command the AWS SDK has a
 * paginator for except through that paginator (`paginateX`), and reads a paginator only through
 * shared-adapters/paging/read-pages.ts, which bounds it. A command added later is held to it too.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const PRODUCT = ['aws', 'shared-adapters', 'operator', 'local', 'functions', 'core', 'chatops', 'infra'];

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

/** The operations each SDK package we use has a paginator for, from the package itself. */
function paginatedOperations(): Set<string> {
  const sdk = join(ROOT, 'node_modules/@aws-sdk');
  const operations = readdirSync(sdk)
    .filter((name) => name.startsWith('client-') || name === 'lib-dynamodb')
    .flatMap((name) => {
      const dir = join(sdk, name, 'dist-types/pagination');
      try {
        return readdirSync(dir).flatMap((file) => /^(\w+)Paginator\.d\.ts$/.exec(file)?.[1] ?? []);
      } catch {
        return [];
      }
    });
  return new Set(operations);
}

const paginated = paginatedOperations();
const sources = PRODUCT.flatMap((dir) => filesUnder(join(ROOT, dir))).map((path) => ({
  file: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

describe('every List and Describe read to its last page', () => {
  it('knows the paginated operations of the SDK packages in use', () => {
    for (const operation of ['DescribeAutoScalingGroups', 'DescribeInstances', 'Query', 'FilterLogEvents'])
      expect(paginated).toContain(operation);
    expect(paginated).not.toContain('DescribeTargetHealth');
  });

  it('product code sends no paginated command by itself: it goes through its paginator', () => {
    const direct = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/new (\w+)Command\(/g)]
        .map((match) => match[1] ?? '')
        .filter((operation) => paginated.has(operation))
        .map((operation) => `${file}: ${operation}Command sent directly; read it with paginate${operation}`),
    );
    expect(direct).toEqual([]);
  });

  it('every paginator is read through read-pages.ts (bounded), never by a loop of its own', () => {
    const unbounded = sources
      .filter(({ text }) => /\bpaginate[A-Z]\w*\(/.test(text))
      .filter(({ text }) => !/paging\/read-pages\.js'/.test(text))
      .map(({ file }) => file);
    expect(unbounded).toEqual([]);
  });
});
