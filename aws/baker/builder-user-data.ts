/** Shell-quotes one value for a bash script. */
const quote = (value: string) => `'${value.replaceAll("'", `'"'"'`)}'`;

export interface BuilderScript {
  artifactUrl: string;
  resultUrl: string;
  timeoutSeconds: number;
}

/**
 * The builder's user data: the Packer amazon-ebs steps without SSH. Downloads the artifact through a presigned
 * URL, refuses unsafe entries, runs the manifest's bake command with a time limit, installs a systemd unit that
 * starts the app with the environment written at launch (never baked), reports the outcome (with the tail of
 * the log) through a presigned PUT, and powers off. The manifest is read on the builder, from the artifact.
 */
export function builderUserData(script: BuilderScript): string {
  const text = `#!/bin/bash
set -uo pipefail
exec > /var/log/bakeshift-bake.log 2>&1
RESULT_URL=${quote(script.resultUrl)}
report() {
  local tail body
  tail=$(tail -c 3000 /var/log/bakeshift-bake.log | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
  body="{\\"status\\":\\"$1\\",\\"healthPath\\":\\"\${HEALTH_PATH:-/health}\\",\\"logTail\\":$tail}"
  # A presigned URL dies with the temporary credentials that signed it: the console output (read with
  # GetConsoleOutput once the builder has stopped) carries the report too.
  echo "BAKESHIFT-REPORT $(printf '%s' "$body" | base64 -w0)" > /dev/console
  curl -sSf --retry 5 -X PUT -H 'Content-Type: application/json' --data-binary "$body" "$RESULT_URL" \\
    || echo "the report upload failed: the console output carries it"
}
fail() { echo "bake failed: $1"; report failed; shutdown -h now; exit 1; }
curl -sSf --retry 5 -o /tmp/artifact.tgz ${quote(script.artifactUrl)} || fail "artifact download"
if tar -tzf /tmp/artifact.tgz | grep -Eq '^/|(^|/)\\.\\.(/|$)'; then fail "artifact has entries outside its root"; fi
useradd --system --home /opt/app --shell /sbin/nologin bakeshift || true
mkdir -p /opt/app /etc/bakeshift
tar -xzf /tmp/artifact.tgz -C /opt/app --no-same-owner --no-same-permissions || fail "artifact unpack"
MANIFEST=/opt/app/bakeshift.json
[ -f "$MANIFEST" ] || fail "bakeshift.json missing at the artifact's root"
START=$(python3 -c 'import json; print(json.load(open("/opt/app/bakeshift.json"))["start"])') || fail "bakeshift.json has no start command"
BAKE=$(python3 -c 'import json; print(json.load(open("/opt/app/bakeshift.json")).get("bake", ""))')
HEALTH_PATH=$(python3 -c 'import json; print(json.load(open("/opt/app/bakeshift.json")).get("healthPath", "/health"))')
if [ -n "$BAKE" ]; then
  (cd /opt/app && timeout ${script.timeoutSeconds} sh -c "$BAKE") || fail "bake command: $BAKE"
fi
cat > /etc/systemd/system/bakeshift-app.service <<UNIT
[Unit]
Description=bakeshift app
After=network-online.target
[Service]
User=bakeshift
WorkingDirectory=/opt/app
EnvironmentFile=/etc/bakeshift/app.env
ExecStart=/bin/sh -c "$START"
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
systemctl enable bakeshift-app.service || fail "systemd unit"
report succeeded
shutdown -h now
`;
  return Buffer.from(text).toString('base64');
}

/** The user data of a fleet instance: writes the environment's variables (given at launch), starts the unit. */
export function instanceUserData(variables: Record<string, string>, port: number): string {
  const lines = Object.entries({ ...variables, PORT: String(port) }).map(
    ([key, value]) => `${key}=${quote(value)}`,
  );
  const text = `#!/bin/bash
set -euo pipefail
umask 077
cat > /etc/bakeshift/app.env <<'ENV'
${lines.join('\n')}
ENV
systemctl restart bakeshift-app.service
`;
  return Buffer.from(text).toString('base64');
}
