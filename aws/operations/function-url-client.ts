import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Bounds each call: an endpoint that accepts a connection but never answers must not hang the CLI. */
const CALL_TIMEOUT_MS = 30_000;

export interface SignedResponse {
  status: number;
  body: unknown;
}

/**
 * POSTs JSON to a Lambda function URL whose auth type is AWS_IAM, signed with SigV4 (service `lambda`) by the
 * caller's own credentials (the SDK's default chain: environment, profile, SSO, instance role). Lambda checks
 * the signature and hands the function the caller's ARN: the identity is AWS's, never one the client claims.
 */
export function functionUrlClient(
  region: string,
  credentials: ConstructorParameters<typeof SignatureV4>[0]['credentials'] = fromNodeProviderChain(),
) {
  const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: Sha256 });
  return async (url: string, body: unknown): Promise<SignedResponse> => {
    const target = new URL(url);
    const text = JSON.stringify(body);
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: target.protocol,
        hostname: target.hostname,
        ...(target.port ? { port: Number(target.port) } : {}),
        path: target.pathname,
        headers: { host: target.host, 'content-type': 'application/json' },
        body: text,
      }),
    );
    const response = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body: text,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const answer = await response.text();
    let parsed: unknown = answer;
    try {
      parsed = JSON.parse(answer);
    } catch {
      // Lambda's own refusals (403 for a bad signature) may be plain text: kept as they are.
    }
    return { status: response.status, body: parsed };
  };
}
