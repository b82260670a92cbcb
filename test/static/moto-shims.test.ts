import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { motoShims } from '../moto/shims/index.js';
import { CREATED_BY_THE_TEST } from '../moto/support/moto-template.js';

const DOC = readFileSync(new URL('../../docs/moto-shims.md', import.meta.url), 'utf8');

describe("the moto suite's shims (test/moto/shims) and docs/moto-shims.md", () => {
  it.each(motoShims('http://127.0.0.1:1').map((s) => [s.operation, s]))(
    "%s cites moto's source (file and line) and AWS's reference, and is listed in the doc",
    (_, shim) => {
      expect(shim.moto.source).toMatch(/moto\/[a-z0-9_/]+\.py:\d+/);
      expect(shim.aws.reference).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(shim.aws.says.length).toBeGreaterThan(20);
      expect(DOC).toContain(`| ${shim.operation.split(' ')[0]} |`);
      expect(DOC).toContain(shim.aws.says.split(': ').at(-1)?.slice(0, 40));
    },
  );

  it('every resource type the test creates for moto is named in the doc with its reason', () => {
    for (const type of Object.keys(CREATED_BY_THE_TEST)) expect(DOC).toContain(`| ${type} |`);
  });
});
