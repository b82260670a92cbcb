#!/usr/bin/env bash
# Builds the Debian root file system the boot test boots: systemd, cloud-init (NoCloud), curl, python3. Cached:
# an existing, complete one is reused. Needs root, debootstrap and systemd-nspawn (Debian's packages
# debootstrap and systemd-container); says so and exits 3 without them.
set -euo pipefail
ROOT="$1"
if [ -f "$ROOT/.bakeshift-base-ready" ]; then exit 0; fi
for tool in debootstrap systemd-nspawn chroot; do
  command -v "$tool" >/dev/null || { echo "the boot test needs $tool: apt-get install -y debootstrap systemd-container" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "the boot test needs root (debootstrap, systemd-nspawn)" >&2; exit 3; }
rm -rf "$ROOT.partial"
mkdir -p "$(dirname "$ROOT")"
echo "building the base root file system in $ROOT (Debian bookworm, about 2 minutes)…" >&2
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,python3,ca-certificates \
  bookworm "$ROOT.partial" http://deb.debian.org/debian >&2
cp /etc/resolv.conf "$ROOT.partial/etc/resolv.conf"
chroot "$ROOT.partial" bash -c \
  'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cloud-init && apt-get clean' >&2
# Only NoCloud: no waiting for cloud metadata services that do not exist here.
echo 'datasource_list: [ NoCloud, None ]' > "$ROOT.partial/etc/cloud/cloud.cfg.d/90-bakeshift-boot-test.cfg"
touch "$ROOT.partial/.bakeshift-base-ready"
mv "$ROOT.partial" "$ROOT"
