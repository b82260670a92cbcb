import { readFile } from 'node:fs/promises';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import { ConfigInvalid } from '../../core/errors.js';

/**
 * A JSON file's content, line and block comments allowed (a configuration explains itself); an unreadable
 * file or bad JSON is a ConfigInvalid naming the file, the line and the reason.
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
  return value;
}
