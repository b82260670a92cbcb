/**
 * Why a value cannot reach an app's environment exactly, or undefined when it can. A process environment ends
 * each value at NUL; an instance's systemd refuses an environment file with text that is not Unicode scalar
 * values or has a noncharacter (its `unichar_is_valid`: U+FDD0–U+FDEF, and U+xFFFE/U+xFFFF of every plane);
 * and a lone UTF-16 surrogate has no UTF-8 form at all. Everything else (newlines, quotes, `$`, backslashes,
 * control characters) is carried byte for byte.
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
    index += 1;
  }
  return undefined;
}

const hex = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');
