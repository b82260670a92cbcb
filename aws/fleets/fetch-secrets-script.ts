/**
 * The program bakeshift-secrets.service runs on a fleet instance before each start of the app: it reads the
 * environment's secrets (SSM GetParameter with decryption, Secrets Manager GetSecretValue) with the instance
 * role's credentials from IMDSv2, signs with SigV4, and writes them as a systemd EnvironmentFile on /run
 * (tmpfs), root only. Python's standard library only: a base image needs python3 (the builder needs it too),
 * not the AWS CLI. It never runs with the app's environment (its own unit), honours AWS's standard endpoint
 * variables only from its own unit, uses no proxy (IMDS credentials must not pass through one), and retries
 * what a retry can change for at most two minutes. Held to SigV4 by test/support/aws-secrets-stand-in.ts.
 */
export const FETCH_SECRETS_PY = String.raw`"""bakeshift: the app's secrets, read with the instance role (see bakeshift-secrets.service)."""
import datetime, hashlib, hmac, json, os, sys, time, urllib.error, urllib.parse, urllib.request

IMDS = os.environ.get('AWS_EC2_METADATA_SERVICE_ENDPOINT', 'http://169.254.169.254').rstrip('/')
ENDPOINT_VARIABLES = {'ssm': 'AWS_ENDPOINT_URL_SSM', 'secretsmanager': 'AWS_ENDPOINT_URL_SECRETS_MANAGER'}
TARGETS = {'ssm': 'AmazonSSM.GetParameter', 'secretsmanager': 'secretsmanager.GetSecretValue'}
RETRIED = ('Throttling', 'ThrottlingException', 'TooManyRequestsException', 'InternalServerError')
ESCAPED = '"\\\x60$'
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
DEADLINE = time.monotonic() + 120


class Refused(Exception):
    pass


def send(request):
    with OPENER.open(request, timeout=10) as response:
        return response.read()


def aws_error(error):
    try:
        answer = json.loads(error.read().decode('utf-8', 'replace'))
    except ValueError:
        return ('HTTP %d' % error.code, '')
    kind = str(answer.get('__type', 'HTTP %d' % error.code)).split('#')[-1]
    return (kind, str(answer.get('message', answer.get('Message', ''))))


def retrying(what, attempt):
    delay = 1
    while True:
        try:
            return attempt()
        except urllib.error.HTTPError as error:
            kind, message = aws_error(error)
            last = (kind + ': ' + message).rstrip(': ')
            if error.code < 500 and error.code != 429 and kind not in RETRIED:
                raise Refused(what + ': ' + last)
        except (urllib.error.URLError, OSError) as error:
            last = str(error)
        if time.monotonic() + delay > DEADLINE:
            raise Refused(what + ': ' + last + ' (still failing after two minutes of retries)')
        time.sleep(delay)
        delay = min(delay * 2, 15)


def credentials():
    token = retrying('the instance metadata service', lambda: send(urllib.request.Request(
        IMDS + '/latest/api/token', method='PUT', headers={'X-aws-ec2-metadata-token-ttl-seconds': '300'}))).decode()
    headers = {'X-aws-ec2-metadata-token': token}
    base = IMDS + '/latest/meta-data/iam/security-credentials/'
    role = retrying('the instance role (is an instance profile attached?)', lambda: send(
        urllib.request.Request(base, headers=headers))).decode().split()[0]
    return json.loads(retrying('the instance role credentials', lambda: send(
        urllib.request.Request(base + role, headers=headers))))


def hmac_sha256(key, text):
    return hmac.new(key, text.encode('utf-8'), hashlib.sha256)


def signed_request(secret, creds, body):
    url = os.environ.get(ENDPOINT_VARIABLES[secret['service']]) or secret['endpoint']
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
    headers = {'content-type': 'application/x-amz-json-1.1', 'host': urllib.parse.urlsplit(url).netloc,
               'x-amz-date': amz_date, 'x-amz-security-token': creds['Token'],
               'x-amz-target': TARGETS[secret['service']]}
    names = sorted(headers)
    canonical = '\n'.join(['POST', '/', ''] + [n + ':' + headers[n] for n in names]
                          + ['', ';'.join(names), hashlib.sha256(body).hexdigest()])
    scope = '/'.join([amz_date[:8], secret['region'], secret['service'], 'aws4_request'])
    key = ('AWS4' + creds['SecretAccessKey']).encode('utf-8')
    for part in scope.split('/'):
        key = hmac_sha256(key, part).digest()
    to_sign = '\n'.join(['AWS4-HMAC-SHA256', amz_date, scope,
                         hashlib.sha256(canonical.encode('utf-8')).hexdigest()])
    headers['authorization'] = 'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s' % (
        creds['AccessKeyId'], scope, ';'.join(names), hmac_sha256(key, to_sign).hexdigest())
    return urllib.request.Request(url.rstrip('/') + '/', data=body, method='POST', headers=headers)


def value_of(secret, creds):
    what = '%s (%s %s)' % (secret['name'], secret['service'], secret['id'])
    if secret['service'] == 'ssm':
        body = json.dumps({'Name': secret['id'], 'WithDecryption': True}).encode('utf-8')
    else:
        body = json.dumps({'SecretId': secret['id']}).encode('utf-8')
    answer = json.loads(retrying(what, lambda: send(signed_request(secret, creds, body))))
    value = answer['Parameter']['Value'] if secret['service'] == 'ssm' else answer.get('SecretString')
    if value is None:
        raise Refused(what + ': a binary secret; only SecretString values can be given to the app')
    for index, character in enumerate(value):
        code = ord(character)
        if code == 0 or 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
            raise Refused('%s: the value has U+%04X at character %d, which no environment can carry'
                          % (what, code, index + 1))
    return value


def main(spec_path, out_path):
    # What an earlier start read must not outlive a fetch that fails now (a revoked or unreachable secret).
    try:
        os.remove(out_path)
    except FileNotFoundError:
        pass
    with open(spec_path, encoding='utf-8') as spec_file:
        secrets = json.load(spec_file)['secrets']
    creds = credentials()
    lines = []
    for secret in secrets:
        value = ''.join('\\' + c if c in ESCAPED else c for c in value_of(secret, creds))
        lines.append('%s="%s"\n' % (secret['name'], value))
    directory = os.path.dirname(out_path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    partial = out_path + '.partial'
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'wb') as out:
        out.write(''.join(lines).encode('utf-8'))
    os.replace(partial, out_path)
    print('bakeshift-secrets: read ' + (', '.join(s['name'] for s in secrets) or 'nothing'), file=sys.stderr)


if __name__ == '__main__':
    try:
        main(sys.argv[1], sys.argv[2])
    except Refused as refusal:
        print('bakeshift-secrets: ' + str(refusal), file=sys.stderr)
        sys.exit(1)
`;
