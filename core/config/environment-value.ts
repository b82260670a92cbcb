/**
 * Why a value cannot reach an app's environment exactly, or undefined when it can. A process environment ends
 * each value at NUL; an instance's systemd refuses an environment file with text that is not Unicode scalar
 * values or has a noncharacter (its `unichar_is_valid`: U+FDD0–U+FDEF, and U+xFFFE/U+xFFFF of every plane);
 * and a lone UTF-16 surrogate has no UTF-8 form at all. An invisible format character (Unicode category Cf:
 * a byte order mark U+FEFF, zero-width spaces and joiners, bidirectional controls) would be carried, but no one
 * reading the file can see it, and a pasted BOM or a right-to-left override changes what a value means: refused.
 * Everything else (newlines, quotes, `$`, backslashes, control characters) is carried byte for byte.
 */
export function whyNotCarried(value: string): string | undefined {
  let index = 0;
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    const at = `at character ${index + 1}`;
    if (code === 0) return `contains NUL (U+0000) ${at}, which no process environment can hold`;
    if (code >= 0xd800 && code <= 0xdfff)
      return `contains a lone UTF-16 surrogate (U+${hex(code)}) ${at}: not Unicode text`;
    if ((code >= 0xfdd0 && code <= 0xfdef) || (code & 0xfffe) === 0xfffe)
      return `contains the Unicode noncharacter U+${hex(code)} ${at}, which systemd refuses in an environment`;
    if (INVISIBLE_FORMAT.test(character))
      return `contains the invisible format character U+${hex(code)} ${at} (e.g. a byte order mark or zero-width space pasted with the value): remove it`;
    index += 1;
  }
  return undefined;
}

/** Unicode's format characters (general category Cf): invisible, yet they change text. */
const INVISIBLE_FORMAT = /^\p{Cf}$/u;

const hex = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');
