import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** The schema modules of the AWS SDK's clients (`dist-es/schemas/schemas_0.js`, …). */
export const SDK_SCHEMA_MODULE =
  /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * The SDK's schemas write their traits with computed keys naming string constants (`{ [_xN]: _II }`). esbuild
 * cannot prove such a key free of side effects, so it keeps every schema of the client: EC2's 540 KB for a
 * function that calls three operations. Written as the strings they name, the keys are plain literals and esbuild
 * drops every schema a function never reaches. The rewritten module is checked equal to the SDK's, export by
 * export (test/infra/sdk-schema-keys.test.ts).
 */
export function withLiteralSchemaKeys(source: string): string {
  const strings = new Map(
    [...source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)].map(([, name, value]) => [name, value]),
  );
  return source.replace(/([{,]\s*)\[(_\w+)\]:/g, (key, before: string, name: string) => {
    const value = strings.get(name);
    return value === undefined ? key : `${before}${value}:`;
  });
}

/** The esbuild plugin that applies withLiteralSchemaKeys to the SDK's schema modules. */
export const sdkSchemaKeysPlugin: Plugin = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMA_MODULE }, async ({ path }) => ({
      contents: withLiteralSchemaKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
  },
};
