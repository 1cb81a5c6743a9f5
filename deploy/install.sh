#!/bin/bash
# Installs the appliance on a bare-metal host: publishes into /opt/appliance, creates the "appliance" system
# user and installs deploy/appliance.service. Idempotent: running it again updates the files in place.
# Starts nothing unless --start is given.
#
#   sudo deploy/install.sh [--start] [--from DIR] [--self-contained] [--destdir DIR]
#     --start            enable and (re)start appliance.service afterwards
#     --from DIR         install an already published directory instead of running dotnet publish
#     --self-contained   publish with the .NET runtime included (no runtime needed on the host)
#     --destdir DIR      stage into DIR (packaging, tests): no user, no systemctl, no root needed
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
prefix=/opt/appliance
unitdir=/etc/systemd/system
start=0
from=""
self_contained=0
destdir=""

while [ $# -gt 0 ]; do
  case "$1" in
    --start) start=1 ;;
    --from) from="${2:?--from needs a directory}"; shift ;;
    --self-contained) self_contained=1 ;;
    --destdir) destdir="${2:?--destdir needs a directory}"; shift ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (or use --destdir to stage)" >&2
  exit 1
fi
if [ -n "$destdir" ] && [ "$start" -eq 1 ]; then
  echo "install.sh: --start cannot be combined with --destdir" >&2
  exit 2
fi

target="$destdir$prefix"
staging="$(mktemp -d "${TMPDIR:-/tmp}/appliance-install.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

if [ -n "$from" ]; then
  [ -f "$from/appliance.dll" ] || { echo "install.sh: $from has no appliance.dll" >&2; exit 1; }
  cp -a "$from/." "$staging/"
else
  command -v dotnet >/dev/null || { echo "install.sh: the .NET 10 SDK (dotnet) is needed to publish; or use --from" >&2; exit 1; }
  args=(publish "$root/src/Appliance/Appliance.csproj" -c Release -o "$staging" --nologo)
  if [ "$self_contained" -eq 1 ]; then
    args+=(--self-contained -r "linux-$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')")
  fi
  dotnet "${args[@]}"
fi
rm -f "$staging"/*.pdb "$staging/web.config"
[ -x "$staging/appliance" ] || { echo "install.sh: the publish output has no 'appliance' executable (apphost)" >&2; exit 1; }

# Replace the program directory as a whole so files removed from the build do not linger.
mkdir -p "$(dirname "$target")"
rm -rf "$target.new"
mkdir -p "$target.new/docs"
cp -a "$staging/." "$target.new/"
[ -f "$root/docs/docker.md" ] && cp "$root/docs/docker.md" "$target.new/docs/"
chmod -R u=rwX,go=rX "$target.new"
rm -rf "$target.old"
[ -d "$target" ] && mv "$target" "$target.old"
mv "$target.new" "$target"
rm -rf "$target.old"

install -D -m 0644 "$root/deploy/appliance.service" "$destdir$unitdir/appliance.service"

if [ -n "$destdir" ]; then
  echo "install.sh: staged into $destdir"
  exit 0
fi

if ! getent group appliance >/dev/null; then
  groupadd --system appliance
fi
if ! getent passwd appliance >/dev/null; then
  useradd --system --gid appliance --home-dir /var/lib/appliance --no-create-home --shell /usr/sbin/nologin appliance
fi

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ "$start" -eq 1 ]; then
    systemctl enable appliance.service
    systemctl restart appliance.service
    systemctl --no-pager --lines=5 status appliance.service || true
  else
    echo "install.sh: installed; start it with: systemctl enable --now appliance.service"
  fi
  # The unit listens on https://0.0.0.0:8443 with a generated certificate: compare its fingerprint in the browser.
  echo "install.sh: dashboard at https://$(hostname):8443/ (self-signed; fingerprint: journalctl -u appliance | grep fingerprint)"
elif [ "$start" -eq 1 ]; then
  echo "install.sh: systemd is not running on this host; cannot --start" >&2
  exit 1
fi
