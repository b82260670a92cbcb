import { shellQuote } from '../commons/shell-quote.js';
import { MANIFEST_CHECK } from './builder-manifest-check.js';

export interface BuilderScript {
  artifactUrl: string;
  resultUrl: string;
  timeoutSeconds: number;
}

/** Where the app's unit writes its output: the file the CloudWatch agent ships (fleets/instance-user-data.ts). */
export const APP_LOG_FILE = '/var/log/bakeshift/app.log';

/** The manifest's start command, exactly, written at bake (root's, 0644) and read by the app's unit at each start. */
export const START_FILE = '/etc/bakeshift/start';

/**
 * The app's systemd unit, installed at bake. It starts only once the instance's user data has written its
 * environment (`ConditionPathExists`): enabled at boot without it, a unit needing the file would fail, be
 * restarted into systemd's start limit and refuse the later start. Hardened as an immutable server: the app
 * runs unprivileged, the whole file system read-only but its own state directory and a private /tmp.
 * The unit is the same text for every artifact: the start command is data, read from its file and run as
 * `sh -c` runs it locally (local/fleets/instance-shim.mjs), `$0` included; `exec` lets SIGTERM reach that shell, and so the app
 * itself when the command is a simple one. `$$` is systemd's escape for a literal `$`.
 */
export const APP_UNIT = `[Unit]
Description=bakeshift app
After=network-online.target
Wants=network-online.target
ConditionPathExists=/etc/bakeshift/app.env
[Service]
User=bakeshift
WorkingDirectory=/opt/app
EnvironmentFile=/etc/bakeshift/app.env
Environment=HOME=/var/lib/bakeshift-app TMPDIR=/var/lib/bakeshift-app
ExecStart=/bin/sh -c 'exec /bin/sh -c "$$(cat ${START_FILE})" sh'
Restart=always
RestartSec=2
StateDirectory=bakeshift-app
LogsDirectory=bakeshift
StandardOutput=append:${APP_LOG_FILE}
StandardError=append:${APP_LOG_FILE}
ProtectSystem=strict
ProtectHome=yes
ReadOnlyPaths=/opt/app
PrivateTmp=yes
NoNewPrivileges=yes
KillSignal=SIGTERM
[Install]
WantedBy=multi-user.target`;

/**
 * The builder's checks of the artifact, as bash functions (`fail` reports and powers off). The archive: a gzip
 * tarball whose every entry stays below the app's root (GNU tar makes its links last, so nothing is written
 * through one). The tree, after unpacking and again after the bake command: every link is relative, resolves
 * (`find -L` fails on a loop), and its real path, resolved as the kernel does with every other link (`realpath`),
 * is inside the root. Names from the artifact are data: read NUL-separated, passed after `--`, printed with
 * `%q`.
 */
const ARTIFACT_CHECKS = String.raw`check_archive() {
  gzip -t "$1" 2>/dev/null || fail "the artifact is not a gzip tarball (.tgz)"
  tar -tzf "$1" > "$1.list" || fail "the artifact is not a readable tarball"
  if grep -Eq '^/|(^|/)\.\.(/|$)' "$1.list"; then fail "artifact has entries outside its root"; fi
}
check_links() {
  local root=$1 link name real
  while IFS= read -r -d '' link; do
    name=$(printf '%q' "$link")
    case $(readlink -- "$link") in /*) fail "$2: link $name is absolute (links in an image are relative)" ;; esac
    find -L "$link" -maxdepth 0 -printf '' 2>/dev/null || fail "$2: link $name is a loop of links"
    real=$(realpath -m --relative-base="$root" -- "$link") || fail "$2: link $name cannot be resolved"
    case $real in /*) fail "$2: link $name points outside the image" ;; esac
  done < <(find -P "$root" -type l -print0)
}`;

/**
 * What reads the manifest and writes the report, as bash functions over Python's json: every value from the
 * artifact stays data (a file, an argument, a JSON string), never script text. `field` writes a value exactly
 * (a list one item a line), `check_manifest` refuses a manifest the CLI would refuse, `REPORT_JSON` makes the
 * report from the status, the health path and the log tail on its input.
 */
const BUILDER_HELPERS = String.raw`REPORT_JSON='import json, sys
tail = sys.stdin.buffer.read().decode("utf-8", "replace")
print(json.dumps({"status": sys.argv[1], "healthPath": sys.argv[2], "logTail": tail}))'
field() {
  python3 -c 'import json, sys
value = json.load(open(sys.argv[1], encoding="utf-8")).get(sys.argv[2], "".join(sys.argv[3:]))
sys.stdout.buffer.write(("\n".join(value) if isinstance(value, list) else value).encode())' "$MANIFEST" "$@"
}
check_manifest() {
  python3 - "$1" <<'PY'
${MANIFEST_CHECK}PY
}`;

/**
 * The builder's user data: the Packer amazon-ebs steps without SSH. Downloads the artifact through a presigned
 * URL, refuses unsafe entries and links (before and after the bake command), installs the manifest's
 * operating-system packages with the base image's package manager (and, on Amazon Linux, the CloudWatch agent),
 * runs the bake command with a time limit, installs the app's unit, reports the outcome with the tail of its log
 * (on its console, and through a presigned PUT), removes what must not be in an image, and powers off. The manifest is read on the builder, from the artifact.
 */
export function builderUserData(script: BuilderScript): string {
  const text = `#!/bin/bash
set -uo pipefail
exec > /var/log/bakeshift-bake.log 2>&1
RESULT_URL=${shellQuote(script.resultUrl)}
${BUILDER_HELPERS}
report() {
  local body
  body=$(tail -c 3000 /var/log/bakeshift-bake.log | python3 -c "$REPORT_JSON" "$1" "\${HEALTH_PATH:-/health}")
  # A presigned URL dies with the temporary credentials that signed it: the console output (read with
  # GetConsoleOutput once the builder has stopped) carries the report too.
  echo "BAKESHIFT-REPORT $(printf '%s' "$body" | base64 -w0)" > /dev/console
  curl -sSf --retry 5 -X PUT -H 'Content-Type: application/json' --data-binary "$body" "$RESULT_URL" \\
    || echo "the report upload failed: the console output carries it"
}
# What must not be in an image: this instance's cloud-init state, journal and logs, its machine id (each
# instance makes its own), the download, the bake log.
clean_for_image() {
  rm -f /tmp/artifact.tgz /tmp/artifact.tgz.list /var/log/bakeshift-bake.log
  cloud-init clean --logs >/dev/null 2>&1 || rm -rf /var/lib/cloud/instance /var/lib/cloud/instances /var/log/cloud-init*
  journalctl --relinquish-var >/dev/null 2>&1 || true
  rm -rf /var/log/journal/*
  truncate -s 0 /etc/machine-id
  sync
}
# cloud-init is still running this script: the image is cleaned, and the builder powered off, by a unit
# ordered after cloud-init's last stage, so that nothing of this instance is written after the cleaning.
finish() {
  report "$1"
  systemd-run --no-block --unit=bakeshift-image-clean --property=After=cloud-final.service \
    /bin/bash -c "$(declare -f clean_for_image); clean_for_image; systemctl poweroff" \
    || { clean_for_image; shutdown -h now; }
  exit 0
}
fail() { echo "bake failed: $1"; finish failed; }
${ARTIFACT_CHECKS}
curl -sSf --retry 5 -o /tmp/artifact.tgz ${shellQuote(script.artifactUrl)} || fail "artifact download"
check_archive /tmp/artifact.tgz
useradd --system --home /opt/app --shell /sbin/nologin bakeshift || true
mkdir -p /opt/app /etc/bakeshift
tar -xzf /tmp/artifact.tgz -C /opt/app --no-same-owner --no-same-permissions || fail "artifact unpack"
check_links /opt/app "the unpacked artifact"
MANIFEST=/opt/app/bakeshift.json
[ -f "$MANIFEST" ] || fail "bakeshift.json missing at the artifact's root"
invalid=$(check_manifest "$MANIFEST") || fail "$invalid"
(umask 022 && field start > ${START_FILE}) || fail "writing the start command"
BAKE=$(field bake)
HEALTH_PATH=$(field healthPath /health)
mapfile -t PACKAGES < <(field packages)
if command -v dnf >/dev/null; then
  # Amazon Linux: the runtime the app needs, and the agent that ships its logs to CloudWatch Logs.
  dnf install -y -- "\${PACKAGES[@]}" amazon-cloudwatch-agent || fail "installing packages: \${PACKAGES[*]}"
elif [ \${#PACKAGES[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -- "\${PACKAGES[@]}") \\
    || fail "installing packages: \${PACKAGES[*]}"
elif [ \${#PACKAGES[@]} -gt 0 ]; then
  fail "no dnf or apt-get on the base image to install: \${PACKAGES[*]}"
fi
if [ -n "$BAKE" ]; then
  (cd /opt/app && timeout ${script.timeoutSeconds} sh -c "$BAKE") || fail "bake command: $BAKE"
  check_links /opt/app "after the bake command"
fi
chown -R root:root /opt/app && chmod -R a+rX,go-w /opt/app
# systemd opens the unit's log file before it would create LogsDirectory: the directory is made here.
mkdir -p /var/log/bakeshift && chown bakeshift: /var/log/bakeshift
cat > /etc/systemd/system/bakeshift-app.service <<'UNIT'
${APP_UNIT}
UNIT
systemctl enable bakeshift-app.service || fail "systemd unit"
finish succeeded
`;
  return Buffer.from(text).toString('base64');
}
