import type { LocalDynamoDb } from '../../../local/store/local-dynamodb.js';
import { awsArns } from '../aws-world.js';
import type { SimCall } from '../simulated-cloud.js';
import { synthBakeshift } from '../synth-bakeshift.js';
import { type ApiOracleReport, runApiOracle } from './api-oracle.js';
import { type IamOracleReport, runIamOracle } from './iam-oracle.js';
import type { IamRequest } from './iam-requests.js';
import { runOracleFlows } from './oracle-flows.js';
import { ORACLE_REGION, type RolePolicies, TemplatePolicies } from './template-policies.js';

export interface AwsOracles {
  calls: SimCall[];
  roles: Map<string, RolePolicies>;
  /** The IAM oracle over these calls, with other roles (e.g. with a statement removed on purpose). */
  iamWith(roles: Map<string, RolePolicies>): Promise<IamOracleReport>;
  iam: IamOracleReport;
  api: ApiOracleReport;
  /**
   * `iam: N calls simulated (N authorizations), 0 denied, 0 unused statements; api (botocore V models): N requests,
   * N responses and N errors validated, 0 invalid`
   */
  summary: string;
}

/**
 * Both AWS oracles (ADR 21) over the oracle flows: the synthesized template (as `cdk deploy` would create it),
 * every function run over the simulated cloud, every call held to AWS's authorization data and API models.
 * Used by the tests and by `npm run bench` (awsOracles).
 */
export async function runAwsOracles(dynamo: LocalDynamoDb): Promise<AwsOracles> {
  const { template } = await synthBakeshift({ bundle: false, region: ORACLE_REGION });
  // The world's service (web) stands for the template's (hello): its listeners are the template's listeners.
  const listeners = Object.fromEntries(
    ['staging', 'prod'].flatMap((environment) => [
      [`hello${environment}LoadBalancerListener`, awsArns(environment).listenerArn],
      [`hello${environment}LoadBalancerPreviewListener`, awsArns(environment).previewListenerArn],
    ]),
  );
  const policies = new TemplatePolicies(template.toJSON() as never, { Artifacts: 'artifacts', ...listeners });
  const calls = await runOracleFlows(dynamo, policies);
  const roles = policies.byFunction();
  // People: the managed policies the stack outputs, held to the calls of the commands each kind runs.
  const people = policies.operatorPolicies();
  for (const [kind, policy] of people) roles.set(kind, policy);
  const instanceRole = policies.arnOf(policies.logicalIdOf('AWS::IAM::Role', 'hellostagingInstanceRole'));

  /**
   * What Lambda itself does with each invoked function's role: write its logs, and send a failed asynchronous
   * event to its failure destination (Lambda developer guide, "Destinations").
   */
  const lambdaRuntime = (functionName: string): IamRequest[] => {
    if (people.has(functionName)) return functionUrlCalls(functionName);
    const logGroup = policies.logGroupArnOf(functionName).replace(/:\*$/, '');
    const queue = policies.failureDestinationOf(functionName);
    return [
      ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
        action,
        resource: `${logGroup}:log-stream:2026/11/30/[$LATEST]0123`,
        context: {},
        because: 'the Lambda runtime (function logs)',
      })),
      ...(queue
        ? [{ action: 'sqs:SendMessage', resource: queue, context: {}, because: 'Lambda (a failed event)' }]
        : []),
    ];
  };
  /**
   * A call to the decision endpoint, a function URL with AWS_IAM auth, is authorized as lambda:InvokeFunctionUrl
   * and (since October 2025) lambda:InvokeFunction with lambda:InvokedViaFunctionUrl (Lambda developer guide,
   * "Control access to function URLs"). Only an approver makes it.
   */
  const decisionFunction = policies.arnOf(
    policies.logicalIdOf('AWS::Lambda::Function', 'FunctionsOperatorDecision'),
  );
  const functionUrlCalls = (kind: string): IamRequest[] =>
    kind !== 'Approver'
      ? []
      : [
          {
            action: 'lambda:InvokeFunctionUrl',
            resource: decisionFunction,
            context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' },
            because: 'the decision endpoint (function URL)',
          },
          {
            action: 'lambda:InvokeFunction',
            resource: decisionFunction,
            context: { 'lambda:InvokedViaFunctionUrl': 'true' },
            because: 'the decision endpoint (function URL)',
          },
        ];
  const services = policies.serviceRoleRequests();
  for (const service of services) roles.set(service.role, service.policies);
  const iamWith = (withRoles: Map<string, RolePolicies>) =>
    runIamOracle(
      calls,
      withRoles,
      { roleOfInstanceProfile: () => instanceRole },
      lambdaRuntime,
      services.map(({ role, requests }) => ({ role, requests })),
    );
  const iam = await iamWith(roles);
  const api = runApiOracle(calls);
  const summary =
    `iam: ${iam.callsSimulated} calls simulated (${iam.requestsSimulated} authorizations), ` +
    `${iam.denials.length} denied, ${iam.unusedStatements.length} unused statements; ` +
    `api (${api.models} models): ${api.requestsValidated} requests, ${api.responsesValidated} responses and ` +
    `${api.errorsChecked} errors validated, ${api.invalid.length} invalid`;
  return { calls, roles, iamWith, iam, api, summary };
}
