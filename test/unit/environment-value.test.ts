import { describe, expect, it } from 'vitest';
import { whyNotCarried } from '../../core/config/environment-value.js';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { webConfig } from '../support/fake-world.js';

const withVariable = (value: string) => {
  const config = webConfig();
  return {
    ...config,
    environments: { staging: { ...config.environments.staging, variables: { LABEL: value } } },
  };
};
const refusal = (value: string) => {
  try {
    parseServiceConfig(withVariable(value), 'services/web.json');
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
};

/** What a variable's value may hold (ADR 52): legitimate text in any script, never what hides or reorders it. */
describe("a variable's value: what is refused, what is carried", () => {
  it.each([
    ['a zero-width joiner in an emoji sequence (family)', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'],
    ['a zero-width joiner in an emoji sequence (rainbow flag)', '\u{1F3F3}\uFE0F\u200D\u{1F308}'],
    ['a zero-width non-joiner in Persian', 'می\u200Cخواهم'],
    ['a zero-width non-joiner in Hindi', 'क्\u200Cष'],
    ['a soft hyphen', 'co\u00ADoperate'],
    ['direction marks in mixed-direction text', 'price: \u200F100 ש"ח\u200E, \u061C'],
    [
      "an emoji tag sequence (England's flag)",
      '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}',
    ],
    ['tab, line feed and carriage return', 'a\tb\r\nc\n'],
    ['an Arabic number sign (a format character with a use in text)', '\u0600١٢'],
  ])('carries %s', (_what, value) => {
    expect(whyNotCarried(value)).toBeUndefined();
    expect(refusal(value)).toBeUndefined();
  });

  it.each([
    ['ESC (a terminal escape)', 'red\x1b[31m', 'the control character U+001B at character 4'],
    ['a C0 control (bell)', 'a\x07', 'the control character U+0007 at character 2'],
    ['DEL', 'a\x7f', 'the control character U+007F at character 2'],
    ['a C1 control (CSI)', 'a\u009B31m', 'the control character U+009B at character 2'],
    ['a C1 control (next line)', 'a\u0085b', 'the control character U+0085 at character 2'],
    ['a right-to-left override', 'abc\u202Edef', 'the bidirectional control U+202E at character 4'],
    ['a left-to-right embedding', '\u202Aabc', 'the bidirectional control U+202A at character 1'],
    ['a pop directional formatting', 'abc\u202C', 'the bidirectional control U+202C at character 4'],
    ['a right-to-left isolate', 'x\u2067y\u2069', 'the bidirectional control U+2067 at character 2'],
    ['a first strong isolate', '\u2068', 'the bidirectional control U+2068 at character 1'],
    ['a zero-width space', 'api\u200Bkey', 'the invisible format character U+200B at character 4'],
    ['a word joiner', 'a\u2060b', 'the invisible format character U+2060 at character 2'],
    [
      'a byte order mark',
      '\uFEFFhttps://api.example.com',
      'the invisible format character U+FEFF at character 1',
    ],
    ['an invisible operator', 'a\u2062b', 'the invisible format character U+2062 at character 2'],
    ['a Mongolian vowel separator', 'a\u180Eb', 'the invisible format character U+180E at character 2'],
    ['an interlinear annotation', 'a\uFFF9b', 'the invisible format character U+FFF9 at character 2'],
    [
      'hidden tag text (ASCII smuggling)',
      'ok\u{E0068}\u{E0069}',
      'the invisible format character U+E0068 at character 3',
    ],
    [
      'tags after a flag that no cancel tag ends',
      '\u{1F3F4}\u{E0067}\u{E0062}x',
      'the invisible format character U+E0067 at character 2',
    ],
    [
      'a language tag',
      '\u{E0001}\u{E0065}\u{E006E}',
      'the invisible format character U+E0001 at character 1',
    ],
    ['NUL', 'a\0', 'NUL (U+0000) at character 2'],
  ])('refuses %s, naming the code point and where', (_what, value, says) => {
    expect(whyNotCarried(value)).toContain(says);
    expect(refusal(value)).toContain(
      `services/web.json: environments.staging.variables.LABEL: the value contains ${says}`,
    );
  });
});
