import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { cloudWatchAgentConfig, instanceUserData } from '../../aws/fleets/instance-user-data.js';

/**
 * The CloudWatch agent's configuration held to the agent's own JSON schema (draft-04) and checked the way the
 * agent's own schema test does, on its own sample configurations. Both are the workplace's reference data, used
 * where they are kept (`../shared/data/` beside the project, its README: aws/amazon-cloudwatch-agent ab55b8d,
 * translator/config/schema.json and sampleSchema/, MIT), never copied into the project.
 */

const SHARED_DATA = new URL('../../../shared/data/', import.meta.url).pathname;
if (!existsSync(join(SHARED_DATA, 'cloudwatch-agent-schema.json')))
  throw new Error(
    `the CloudWatch agent's published schema is not at ${SHARED_DATA}cloudwatch-agent-schema.json (the reference data kept beside the project, ../shared/data/)`,
  );
const SAMPLES = join(SHARED_DATA, 'cloudwatch-agent-samples');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const schema = readJson(join(SHARED_DATA, 'cloudwatch-agent-schema.json')) as { $schema: string };
// The schema declares draft-04: Ajv's draft-04 class, without Ajv's own strict mode (stricter than draft-04, which
// ignores keywords it does not know, as the agent's validator does: the schema has `descriptions` and a misplaced
// `tls`). allErrors, so a refusal lists every problem.
const validate = new AjvDraft04.default({ allErrors: true, strict: false }).compile(schema);
const problemsOf = (config: unknown) =>
  validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);

const samples = readdirSync(SAMPLES).sort();
const valid = samples.filter((name) => name.startsWith('valid'));
const invalid = samples.filter((name) => name.startsWith('invalid'));

/** The agent's configuration as the instance user data writes it (base64 of its gzip, into the agent's file). */
function agentConfigInUserData(userData: string): unknown {
  const script = Buffer.from(userData, 'base64').toString();
  const written =
    /echo '([A-Za-z0-9+/=]+)' \| base64 -d \| gzip -dc > \/opt\/aws\/amazon-cloudwatch-agent\/etc\/\S+\.json/.exec(
      script,
    )?.[1];
  if (written === undefined) throw new Error("the instance user data writes no file into the agent's etc/");
  return JSON.parse(gunzipSync(Buffer.from(written, 'base64')).toString());
}

describe("the CloudWatch agent's configuration, against the agent's own schema", () => {
  it('is the draft-04 schema the agent publishes, with its valid and invalid samples', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(valid.length).toBeGreaterThanOrEqual(4);
    expect(invalid.length).toBeGreaterThanOrEqual(4);
  });

  it.each(valid)("accepts the agent's valid sample %s", (name) => {
    expect(problemsOf(readJson(join(SAMPLES, name)))).toEqual([]);
  });

  it.each(invalid)("refuses the agent's invalid sample %s", (name) => {
    expect(problemsOf(readJson(join(SAMPLES, name)))).not.toEqual([]);
  });

  it("passes bakeshift's configuration, as the instance user data writes it", () => {
    const written = agentConfigInUserData(
      instanceUserData({
        variables: { GREETING: 'hello' },
        port: 8080,
        drainSeconds: 30,
        logGroup: '/bakeshift/web/prod',
      }),
    );
    expect(written).toEqual(cloudWatchAgentConfig('/bakeshift/web/prod'));
    expect(problemsOf(written)).toEqual([]);
  });

  it('refuses it with a mistake the agent would refuse: a file without its path', () => {
    const config = cloudWatchAgentConfig('/bakeshift/web/prod');
    const [entry] = config.logs.logs_collected.files.collect_list;
    const { file_path: _path, ...withoutPath } = entry as NonNullable<typeof entry>;
    config.logs.logs_collected.files.collect_list = [withoutPath as never];
    expect(problemsOf(config).join('\n')).toMatch(/file_path/);
  });
});
