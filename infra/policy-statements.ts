import { Fn, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { IamStatement } from '../aws/commons/iam-statement.js';

/** Values for the adapters' `${Name}` placeholders; a list expands one resource into several. */
export type PlaceholderValues = Record<string, string | string[]>;

const PLACEHOLDER = /\$\{([A-Za-z]+)\}/g;

/** bakeshift's own placeholders in a resource; `${AWS::Region}` and the like have colons and are not matched. */
const placeholdersIn = (resource: string) => [...resource.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');

/**
 * The adapters' IAM statements (aws/*\/iam.ts) as CDK policy statements, each once: two ports needing the same
 * statement (same sid) share it, and two different statements under one sid are a mistake caught at synth.
 */
export function policyStatementsOf(statements: IamStatement[], values: PlaceholderValues): PolicyStatement[] {
  const bySid = new Map<string, IamStatement>();
  for (const statement of statements) {
    const seen = bySid.get(statement.sid);
    const same = (s: IamStatement) =>
      JSON.stringify([s.actions, s.resources, s.conditions ?? {}]) ===
      JSON.stringify([statement.actions, statement.resources, statement.conditions ?? {}]);
    if (seen && !same(seen)) throw new Error(`IAM statement ${statement.sid} is defined twice, differently`);
    bySid.set(statement.sid, statement);
  }
  return [...bySid.values()].map(
    (statement) =>
      new PolicyStatement({
        sid: statement.sid,
        effect: Effect.ALLOW,
        actions: statement.actions,
        resources: statement.resources.flatMap((resource) => resolveResource(resource, values)),
        ...(statement.conditions ? { conditions: statement.conditions } : {}),
      }),
  );
}

function resolveResource(resource: string, values: PlaceholderValues): string[] {
  if (resource === '*') return ['*'];
  const own = placeholdersIn(resource);
  for (const name of own) {
    if (!(name in values)) throw new Error(`IAM resource ${resource}: no value for \${${name}}`);
  }
  // A whole-resource placeholder with several values (the instance roles) becomes several resources.
  const whole = /^\$\{([A-Za-z]+)\}$/.exec(resource)?.[1];
  const wholeValue = whole ? values[whole] : undefined;
  if (Array.isArray(wholeValue)) return wholeValue;
  if (own.length === 0) return [Fn.sub(resource)];
  const variables = Object.fromEntries(own.map((name) => [name, String(values[name])]));
  return [Fn.sub(resource, variables)];
}

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for each wildcard resource of these statements, one by one,
 * with the statement's own reason: a new wildcard that nobody explained still fails the synth.
 */
export function acknowledgeWildcards(
  scope: IConstruct,
  statements: IamStatement[],
  values: PlaceholderValues,
): void {
  const stack = Stack.of(scope);
  for (const statement of statements) {
    for (const resource of statement.resources.filter((r) => r.includes('*'))) {
      const own = placeholdersIn(resource);
      // cdk-nag names a finding after the resource as rendered: pseudo parameters as <AWS::Name>, and an
      // Fn::Sub with variables as its JSON.
      const rendered =
        own.length === 0
          ? resource.replace(/\$\{(AWS::[A-Za-z]+)\}/g, '<$1>')
          : JSON.stringify([resource, Object.fromEntries(own.map((n) => [n, stack.resolve(values[n])]))]);
      Validations.of(scope).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${rendered}]`,
        reason: `${statement.sid}: ${statement.why}`,
      });
    }
  }
}
