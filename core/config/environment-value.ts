/**
 * Why a value cannot reach an app's environment exactly, or undefined when it can (ADR 33, amended by ADR 52).
 * Refused, each for its own reason:
 * - NUL: a process environment ends each value there.
 * - a lone UTF-16 surrogate: it has no UTF-8 form; a noncharacter (U+FDD0–U+FDEF, U+xFFFE/U+xFFFF of every
 *   plane): systemd's `unichar_is_valid` refuses the environment file.
 * - other C0 controls but tab, line feed and carriage return, DEL and the C1 controls (U+0080–U+009F): invisible
 *   in the file, and a terminal that shows the value acts on them (ESC and CSI begin escape sequences).
 * - the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069 ("Trojan Source",
 *   CVE-2021-42574; the set rustc's `text_direction_codepoint_in_literal` lint refuses): text displays in
 *   another order than it is.
 * - invisible characters with no use in text: zero-width space U+200B, word joiner and invisible operators
 *   U+2060–U+2064, the deprecated format controls U+206A–U+206F, the byte order mark U+FEFF, the Mongolian
 *   vowel separator U+180E, interlinear annotation U+FFF9–U+FFFB, and tag characters (U+E0001, U+E0020–U+E007F)
 *   except in an emoji tag sequence (a black flag U+1F3F4, tags, then U+E007F): hidden text, e.g. a pasted BOM.
 * Everything else is carried byte for byte, other format characters included: the zero-width joiner U+200D
 * (emoji sequences), the zero-width non-joiner U+200C (Persian, Hindi), the soft hyphen U+00AD, the direction
 * marks U+200E, U+200F and U+061C (mixed-direction text; they reorder nothing around strong characters).
 */
export function whyNotCarried(value: string): string | undefined {
  let index = 0;
  let afterFlag = false;
  /** The first tag after a black flag, until the cancel tag U+E007F ends the emoji tag sequence. */
  let openTag: { code: number; index: number } | undefined;
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    index += 1;
    if ((afterFlag || openTag) && between(code, 0xe0020, 0xe007e)) {
      openTag ??= { code, index };
      afterFlag = false;
      continue;
    }
    if (openTag && code === 0xe007f) {
      openTag = undefined;
      continue;
    }
    const why = whyNotCharacter(openTag?.code ?? code, `at character ${openTag?.index ?? index}`);
    if (why) return why;
    afterFlag = code === 0x1f3f4;
  }
  return openTag && whyNotCharacter(openTag.code, `at character ${openTag.index}`);
}

function whyNotCharacter(code: number, at: string): string | undefined {
  if (code === 0) return `contains NUL (U+0000) ${at}, which no process environment can hold`;
  if (code >= 0xd800 && code <= 0xdfff)
    return `contains a lone UTF-16 surrogate (U+${hex(code)}) ${at}: not Unicode text`;
  if ((code >= 0xfdd0 && code <= 0xfdef) || (code & 0xfffe) === 0xfffe)
    return `contains the Unicode noncharacter U+${hex(code)} ${at}, which systemd refuses in an environment`;
  if (isControl(code))
    return `contains the control character U+${hex(code)} ${at}: invisible in the file, and a terminal showing it acts on it; remove it (tab, line feed and carriage return are allowed)`;
  if (isBidiControl(code))
    return `contains the bidirectional control U+${hex(code)} ${at}, which displays text in another order than it is ("Trojan Source"): remove it`;
  if (isInvisible(code))
    return `contains the invisible format character U+${hex(code)} ${at} (e.g. a byte order mark or zero-width space pasted with the value): remove it`;
  return undefined;
}

const between = (code: number, low: number, high: number) => code >= low && code <= high;

const isControl = (code: number) =>
  (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || between(code, 0x7f, 0x9f);

const isBidiControl = (code: number) => between(code, 0x202a, 0x202e) || between(code, 0x2066, 0x2069);

const isTag = (code: number) => code === 0xe0001 || between(code, 0xe0020, 0xe007f);

const isInvisible = (code: number) =>
  code === 0x200b ||
  between(code, 0x2060, 0x2064) ||
  between(code, 0x206a, 0x206f) ||
  code === 0xfeff ||
  code === 0x180e ||
  between(code, 0xfff9, 0xfffb) ||
  isTag(code);

const hex = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');
