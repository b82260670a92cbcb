import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export const STAND_IN_ACCOUNT = '123456789012';
const ROLE = 'bakeshift-web-staging-instances';

/**
 * Stand-ins for what a fleet instance reads its secrets from (tests only), on one port of 127.0.0.1: EC2's
 * instance metadata service (IMDSv2 only: a session token is required, as bakeshift's launch templates require
 * it), SSM's GetParameter and Secrets Manager's GetSecretValue (AWS JSON 1.1). Every call's SigV4 signature is
 * checked by signing the same request again with the SDK's own signer (`@smithy/signature-v4`), and must use the
 * credentials this IMDS handed out, session token included; a resource the instance role was not granted
 * (`granted`, ARNs) is AccessDeniedException, as IAM answers.
 */
export class AwsSecretsStandIn {
  readonly parameters = new Map<string, string>();
  /** Secret ARN → its SecretString, or `{ binary: true }` for a SecretBinary-only secret. */
  readonly secrets = new Map<string, string | { binary: true }>();
  readonly granted = new Set<string>();
  /** Every call and its outcome (`ok` or the error's type). */
  readonly calls: { target: string; id: string; outcome: string }[] = [];
  /** Whether IMDS hands out credentials (an instance without an instance profile has none). */
  hasRole = true;
  readonly credentials = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(32).toString('base64'),
  };
  private readonly tokens = new Set<string>();
  private server: Server | undefined;
  endpoint = '';

  constructor(readonly region = 'eu-west-1') {}

  /** The ARN IAM authorizes GetParameter against, for a name. */
  parameterArn(name: string): string {
    return `arn:aws:ssm:${this.region}:${STAND_IN_ACCOUNT}:parameter/${name.replace(/^\//, '')}`;
  }

  /** What fetch-secrets.py needs in its environment to come here instead of AWS. */
  endpointVariables(): Record<string, string> {
    return {
      AWS_EC2_METADATA_SERVICE_ENDPOINT: this.endpoint,
      AWS_ENDPOINT_URL_SSM: this.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.endpoint,
    };
  }

  async start(host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => void this.answer(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
    this.endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  /**
   * Stops at once, whatever its clients still hold open. Never started (the test's setup failed first): nothing
   * to stop, and nothing to wait for (waiting held the boot test's afterAll until its 20-minute hook timeout).
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse) {
    const body = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const path = new URL(req.url ?? '/', this.endpoint).pathname;
    if (path.startsWith('/latest/')) return this.metadata(req, res, path);
    const target = String(req.headers['x-amz-target'] ?? '');
    const reply = (status: number, answer: unknown, id = '', outcome = 'ok') => {
      this.calls.push({ target, id, outcome });
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer));
    };
    const refusal = await this.signatureRefusal(req, body);
    if (refusal)
      return reply(400, { __type: refusal, message: 'the request signature is not right' }, '', refusal);
    const input = JSON.parse(body.toString('utf8')) as { Name?: string; SecretId?: string };
    if (target === 'AmazonSSM.GetParameter') {
      const name = input.Name ?? '';
      const resource = name.startsWith('arn:') ? name : this.parameterArn(name);
      if (!this.granted.has(resource))
        return reply(
          400,
          { __type: 'AccessDeniedException', message: `not authorized on ${resource}` },
          name,
          'AccessDeniedException',
        );
      const value = this.parameters.get(name);
      if (value === undefined) return reply(400, { __type: 'ParameterNotFound' }, name, 'ParameterNotFound');
      return reply(200, { Parameter: { Name: name, Type: 'SecureString', Value: value, Version: 1 } }, name);
    }
    if (target === 'secretsmanager.GetSecretValue') {
      const id = input.SecretId ?? '';
      if (!this.granted.has(id))
        return reply(
          400,
          { __type: 'AccessDeniedException', Message: `not authorized on ${id}` },
          id,
          'AccessDeniedException',
        );
      const secret = this.secrets.get(id);
      if (secret === undefined)
        return reply(
          400,
          {
            __type: 'ResourceNotFoundException',
            Message: "Secrets Manager can't find the specified secret.",
          },
          id,
          'ResourceNotFoundException',
        );
      return reply(
        200,
        typeof secret === 'string' ? { ARN: id, SecretString: secret } : { ARN: id, SecretBinary: 'AA==' },
        id,
      );
    }
    return reply(400, { __type: 'UnknownOperationException' }, '', 'UnknownOperationException');
  }

  private metadata(req: IncomingMessage, res: ServerResponse, path: string) {
    if (
      path === '/latest/api/token' &&
      req.method === 'PUT' &&
      req.headers['x-aws-ec2-metadata-token-ttl-seconds']
    ) {
      const token = randomBytes(16).toString('hex');
      this.tokens.add(token);
      return res.writeHead(200).end(token);
    }
    if (!this.tokens.has(String(req.headers['x-aws-ec2-metadata-token'] ?? '')))
      return res.writeHead(401).end();
    const base = '/latest/meta-data/iam/security-credentials/';
    if (!this.hasRole || !path.startsWith(base)) return res.writeHead(404).end();
    if (path === base) return res.writeHead(200).end(ROLE);
    if (path !== `${base}${ROLE}`) return res.writeHead(404).end();
    const { accessKeyId, secretAccessKey, sessionToken } = this.credentials;
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    res.writeHead(200).end(
      JSON.stringify({
        Code: 'Success',
        Type: 'AWS-HMAC',
        AccessKeyId: accessKeyId,
        SecretAccessKey: secretAccessKey,
        Token: sessionToken,
        Expiration: expiration,
      }),
    );
  }

  /** Why AWS would refuse the request's signature (IncompleteSignature, InvalidSignatureException), or undefined. */
  private async signatureRefusal(req: IncomingMessage, body: Buffer): Promise<string | undefined> {
    const authorization =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        String(req.headers.authorization ?? ''),
      );
    const date = String(req.headers['x-amz-date'] ?? '');
    if (!authorization || !date.startsWith(authorization[2] ?? '-')) return 'IncompleteSignature';
    const [, keyId, , region = '', service = '', signedHeaders = '', signature] = authorization;
    if (keyId !== this.credentials.accessKeyId) return 'UnrecognizedClientException';
    if (req.headers['x-amz-security-token'] !== this.credentials.sessionToken)
      return 'UnrecognizedClientException';
    const expectedService = {
      'AmazonSSM.GetParameter': 'ssm',
      'secretsmanager.GetSecretValue': 'secretsmanager',
    }[String(req.headers['x-amz-target'])];
    if (region !== this.region || service !== expectedService) return 'InvalidSignatureException';
    const url = new URL(req.url ?? '/', this.endpoint);
    const headers = Object.fromEntries(
      signedHeaders.split(';').map((name) => [name, String(req.headers[name] ?? '')]),
    );
    const signer = new SignatureV4({
      credentials: this.credentials,
      region,
      service,
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: false,
    });
    const signedAt = new Date(
      date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    if (Math.abs(Date.now() - signedAt.getTime()) > 5 * 60_000) return 'InvalidSignatureException';
    const again = await signer.sign(
      new HttpRequest({
        method: req.method ?? 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers,
        body,
      }),
      { signingDate: signedAt },
    );
    const resigned = /Signature=([0-9a-f]{64})$/.exec(String(again.headers.authorization ?? ''))?.[1];
    return resigned === signature ? undefined : 'InvalidSignatureException';
  }
}
