import { readFile } from 'node:fs/promises';
import { type JSONPath, type ParseError, parse, printParseErrorCode, visit } from 'jsonc-parser';
import { ConfigInvalid } from '../../core/errors.js';

/**
 * A JSON file's content, line and block comments allowed (a configuration explains itself); an unreadable
 * file, bad JSON or a key given twice in one object (JSON.parse would keep the last silently) is a
 * ConfigInvalid naming the file, the line and the reason.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigInvalid(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`, {
      cause: error,
    });
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: false, disallowComments: false });
  const [first] = errors;
  if (first) {
    const line = text.slice(0, first.offset).split('\n').length;
    throw new ConfigInvalid(`${path}: not valid JSON at line ${line} (${printParseErrorCode(first.error)})`);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate)
    throw new ConfigInvalid(
      `${path}: line ${duplicate.line}: ${[...duplicate.path, duplicate.key].join('.')}: given twice in one object (first on line ${duplicate.firstLine}); keep one`,
    );
  return value;
}

/** The first key that appears twice in the same object, with where (jsonc-parser's visitor walks the text). */
function firstDuplicateKey(text: string) {
  const objects: Map<string, number>[] = [];
  let found: { key: string; path: JSONPath; line: number; firstLine: number } | undefined;
  visit(
    text,
    {
      onObjectBegin: () => {
        objects.push(new Map());
      },
      onObjectEnd: () => {
        objects.pop();
      },
      onObjectProperty: (key, _offset, _length, startLine, _character, pathSupplier) => {
        const keys = objects.at(-1);
        const firstLine = keys?.get(key);
        if (firstLine !== undefined && !found)
          found = { key, path: pathSupplier(), line: startLine + 1, firstLine };
        keys?.set(key, startLine + 1);
      },
    },
    { allowTrailingComma: false, disallowComments: false },
  );
  return found;
}
