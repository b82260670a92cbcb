import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SFNClient } from '@aws-sdk/client-sfn';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import { type AwsOperatorSettings, OPERATOR_PARAMETER } from '../../aws/commons/aws-settings.js';
import { serviceConfigParameter } from '../../aws/configs/ssm-service-configs.js';
import { StepFunctionsStarter } from '../../aws/starter/step-functions-starter.js';
import { createStartDeploymentFromArtifact } from '../../functions/start-deployment-from-artifact.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import type { LocalExecution } from '../../local/engine/local-execution.js';
import { runCli } from '../../operator/cli/main.js';
import type { FakeWorld } from './fake-world.js';
import { runAsFunction } from './invoking-function.js';
import type { SimulatedCloud } from './simulated-cloud.js';
import { stepFunctionsHistoryOf } from './step-functions-history.js';

/*
 * Test stand-ins for what the operator's interface meets on AWS: people with credentials, a function URL with
 * AWS_IAM auth (SigV4 checked, the caller's ARN handed to the function), and the simulated cloud connected to
 * the flow tests' engine (uploads trigger deployments, executions answer DescribeExecution and their history).
 */

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

export interface Person {
  /** What the IAM oracle calls this person's calls (the managed policy they hold). */
  kind: 'Viewer' | 'Deployer' | 'Approver' | 'Intruder';
  accessKeyId: string;
  secretAccessKey: string;
  arn: string;
}

export const PEOPLE = {
  viewer: {
    kind: 'Viewer',
    accessKeyId: 'AKIAVIEWER',
    secretAccessKey: 'viewer-secret',
    arn: `arn:aws:iam::${ACCOUNT}:user/vic`,
  },
  deployer: {
    kind: 'Deployer',
    accessKeyId: 'AKIADEPLOYER',
    secretAccessKey: 'deployer-secret',
    arn: `arn:aws:iam::${ACCOUNT}:user/dana`,
  },
  approver: {
    kind: 'Approver',
    accessKeyId: 'ASIAAPPROVER',
    secretAccessKey: 'approver-secret',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/bakeshift-approvers/alice`,
  },
  intruder: {
    kind: 'Intruder',
    accessKeyId: 'AKIAINTRUDER',
    secretAccessKey: 'intruder-secret',
    arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
  },
} as const satisfies Record<string, Person>;

/** The role the approvers list (the approver above is a session of it). */
export const APPROVER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/bakeshift-approvers`;

/**
 * Runs `work` as a person: their credentials in the environment (what the SDK's default chain reads), their
 * calls recorded under their kind. DynamoDB goes to dynalite through the SDK's own endpoint variable.
 */
export async function asPerson<T>(
  person: Person,
  dynamoEndpoint: string,
  work: () => Promise<T>,
): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: person.accessKeyId,
    AWS_SECRET_ACCESS_KEY: person.secretAccessKey,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  try {
    return await runAsFunction(person.kind, work);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/**
 * Runs `bakeshift <args> --target aws` (the real CLI, in this process) as a person, with `home` as its home:
 * what it printed on each stream, and its exit status.
 */
export async function bakeshiftOnAws(person: Person, dynamoEndpoint: string, home: string, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // Plain replacements, not vitest's spies: the bench runs this outside vitest.
  const { log, error } = console;
  console.log = (line: unknown) => void out.push(String(line));
  console.error = (line: unknown) => void err.push(String(line));
  try {
    const status = await asPerson(person, dynamoEndpoint, () =>
      runCli([...args, '--target', 'aws', '--region', REGION, '--home', home]),
    );
    return { status, out, err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The person whose key signed the request, when the signature is theirs (Lambda recomputes it the same way). */
async function signerOf(request: IncomingMessage, body: string): Promise<Person | undefined> {
  const authorization = String(request.headers.authorization ?? '');
  const key = /Credential=([^/]+)\//.exec(authorization)?.[1];
  const signed = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const person = Object.values(PEOPLE).find((p) => p.accessKeyId === key);
  const date = String(request.headers['x-amz-date'] ?? '');
  if (!person || !date) return undefined;
  const signer = new SignatureV4({ service: 'lambda', region: REGION, credentials: person, sha256: Sha256 });
  const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
  const again = await signer.sign(
    new HttpRequest({
      method: request.method ?? 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: Object.fromEntries(signed.map((name) => [name, String(request.headers[name] ?? '')])),
      body,
    }),
    {
      signingDate: new Date(
        date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
      ),
    },
  );
  return again.headers.authorization === authorization ? person : undefined;
}

/**
 * A function URL with AWS_IAM auth: a request not signed by a known person is refused with Lambda's 403; a
 * signed one reaches the handler with the signer's ARN in `requestContext.authorizer.iam` (Lambda developer
 * guide, "Invoking Lambda function URLs", request payload).
 */
export async function startFunctionUrlStandIn(
  functionName: string,
  handler: (event: LambdaFunctionURLEventWithIAMAuthorizer) => Promise<LambdaFunctionURLResult>,
) {
  const callers: Person[] = [];
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const person = await signerOf(request, body);
    if (!person) {
      response.writeHead(403, { 'content-type': 'application/json' });
      return response.end(
        JSON.stringify({
          Message:
            'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
        }),
      );
    }
    callers.push(person);
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const now = new Date();
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
      requestContext: {
        accountId: 'anonymous',
        apiId: 'operatorurl',
        authorizer: {
          iam: {
            accessKey: person.accessKeyId,
            accountId: ACCOUNT,
            callerId: person.arn.split('/').slice(1).join(':'),
            cognitoIdentity: null,
            principalOrgId: null,
            userArn: person.arn,
            userId: person.accessKeyId,
          },
        },
        domainName: url.host,
        domainPrefix: 'operatorurl',
        http: {
          method: request.method ?? 'POST',
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'bakeshift',
        },
        requestId: `r-${callers.length}`,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      body,
      isBase64Encoded: false,
    } as unknown as LambdaFunctionURLEventWithIAMAuthorizer;
    const result = await runAsFunction(functionName, () => handler(event)).catch((error: Error) => ({
      statusCode: 502,
      body: JSON.stringify({ Message: error.message }),
    }));
    const answer = typeof result === 'string' ? { statusCode: 200, body: result } : result;
    response.writeHead(answer.statusCode ?? 200, { 'content-type': 'application/json' });
    response.end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    callers,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Connects the simulated cloud to the world's engine as AWS is wired: an upload under the artifact key starts
 * a deployment through the trigger function (its Object Created event), StartExecution runs it on the engine,
 * and the stack's settings are in SSM for the operator to find.
 */
export function connectOperator(
  world: FakeWorld,
  cloud: SimulatedCloud,
  settings: AwsOperatorSettings,
  config: unknown,
): { executions: Map<string, LocalExecution> } {
  const executions = new Map<string, LocalExecution>();
  cloud.now = () => world.clock.now();
  cloud.parameters.set(OPERATOR_PARAMETER, JSON.stringify(settings));
  cloud.parameters.set(serviceConfigParameter('web'), JSON.stringify(config));
  cloud.runExecution = (name, input) => {
    const execution = world.start(JSON.parse(input));
    executions.set(name, execution);
    return {
      status: () => execution.status as 'RUNNING' | 'SUCCEEDED' | 'FAILED',
      history: () => stepFunctionsHistoryOf(execution.events),
    };
  };
  const starter = new StepFunctionsStarter(
    new SFNClient({ region: REGION, credentials: { accessKeyId: 'trigger', secretAccessKey: 'trigger' } }),
    settings.stateMachineArn,
  );
  const trigger = createStartDeploymentFromArtifact({ starter });
  const bakeEvents = cloud.onEvent;
  cloud.onEvent = (event) => {
    const detail = (event as { detail?: { bucket?: { name?: string }; object?: { key?: string } } }).detail;
    const isArtifact =
      detail?.bucket?.name === settings.artifactBucket && /\.tgz$/.test(detail.object?.key ?? '');
    if (!isArtifact) return bakeEvents(event);
    void runAsFunction('StartDeploymentFromArtifact', () =>
      trigger(
        { ...event, version: '0', account: ACCOUNT, region: REGION, resources: [] },
        localLambdaContext('StartDeploymentFromArtifact', 30),
      ),
    );
  };
  return { executions };
}
