#!/usr/bin/env bash
# Prepares an Ubuntu LTS instance to serve the Fundus Grader: Caddy (automatic HTTPS), Node 20,
# the unprivileged account, the systemd unit and the release tool. Run as root by every release
# (it ships inside the release bundle), so it is idempotent: a second run changes nothing, and a
# changed unit or Caddyfile reaches the instance with the next release.
#
#   setup.sh --domain grader.example.org
#
# FG_ROOT=/some/scratch/dir: install the files under that folder and only print what would
# change the running system (packages, downloads, systemctl). The tests run it this way.
set -euo pipefail

NODE_VERSION=20.20.2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${FG_ROOT:-}
CHANGED=()

die() {
  echo "setup: $*" >&2
  exit 1
}

# Changes to the live system: done for real, or only described against a scratch root.
system() {
  local what=$1
  shift
  if [[ -n $ROOT ]]; then
    echo "would $what: $*"
  else
    echo "$what"
    "$@"
  fi
}

# Copies src to dest (under ROOT) only when the content or mode differs; remembers what changed.
put() {
  local src=$1 dest=$2 mode=$3
  local target=$ROOT$dest
  if [[ -f $target ]] && cmp -s "$src" "$target" && [[ $(stat -c %a "$target") == "$mode" ]]; then
    return
  fi
  install -D -m "$mode" "$src" "$target"
  CHANGED+=("$dest")
  echo "installed $dest"
}

changed() {
  local path
  for path in "${CHANGED[@]}"; do
    [[ $path == "$1" ]] && return 0
  done
  return 1
}

install_packages() {
  apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@"
}

node_platform() {
  case $(uname -m) in
    x86_64) echo linux-x64 ;;
    aarch64) echo linux-arm64 ;;
    *) die "no Node build for $(uname -m)" ;;
  esac
}

# The official build, checked against the release's SHASUMS256.txt (Ubuntu 24.04 ships Node 18).
install_node() {
  local name=$1 work
  work=$(mktemp -d)
  curl -fsSL --retry 3 -o "$work/$name.tar.xz" "https://nodejs.org/dist/v$NODE_VERSION/$name.tar.xz"
  curl -fsSL --retry 3 -o "$work/SHASUMS256.txt" "https://nodejs.org/dist/v$NODE_VERSION/SHASUMS256.txt"
  (cd "$work" && grep " $name.tar.xz\$" SHASUMS256.txt | sha256sum -c --quiet -)
  tar -xJf "$work/$name.tar.xz" -C /opt --no-same-owner
  ln -sfn "/opt/$name/bin/node" /usr/local/bin/node
  rm -rf "$work"
}

main() {
  local domain=''
  while (($#)); do
    case $1 in
      --domain) domain=${2:-} && shift 2 ;;
      *) die "unknown argument '$1' (usage: setup.sh --domain grader.example.org)" ;;
    esac
  done
  # Only a plain DNS name may reach the systemd drop-in below (the CLI validated it more fully).
  [[ $domain =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ && $domain == *.* ]] || die "--domain needs a DNS name, got '$domain'"
  [[ -z $ROOT && $EUID -ne 0 ]] && die "run as root"

  [[ -x $ROOT/usr/bin/caddy ]] || system "install packages" install_packages caddy curl xz-utils ca-certificates

  local node_name
  node_name="node-v$NODE_VERSION-$(node_platform)"
  [[ -x $ROOT/opt/$node_name/bin/node ]] || system "install Node $NODE_VERSION" install_node "$node_name"

  put "$HERE/fundus-grader.sysusers" /etc/sysusers.d/fundus-grader.conf 644
  # systemd-sysusers understands --root itself, so it runs for real even against a scratch root.
  systemd-sysusers --root="${ROOT:-/}" "$ROOT/etc/sysusers.d/fundus-grader.conf"

  install -d -m 755 "$ROOT/opt/fundus-grader" "$ROOT/opt/fundus-grader/releases" "$ROOT/opt/fundus-grader/slots"
  put "$HERE/fundus-grader-release" /usr/local/sbin/fundus-grader-release 755
  put "$HERE/fundus-grader@.service" /etc/systemd/system/fundus-grader@.service 644
  put "$HERE/Caddyfile" /etc/caddy/Caddyfile 644
  local dropin
  dropin=$(mktemp)
  printf '# Written by fundus-grader setup.sh: the name the Caddyfile serves.\n[Service]\nEnvironment=FG_DOMAIN=%s\n' "$domain" >"$dropin"
  put "$dropin" /etc/systemd/system/caddy.service.d/fundus-grader.conf 644
  rm -f "$dropin"

  if changed /etc/systemd/system/fundus-grader@.service || changed /etc/systemd/system/caddy.service.d/fundus-grader.conf; then
    system "reload systemd units" systemctl daemon-reload
  fi
  if changed /etc/caddy/Caddyfile || changed /etc/systemd/system/caddy.service.d/fundus-grader.conf; then
    system "enable Caddy" systemctl enable --quiet caddy
    system "apply the Caddy configuration" systemctl reload-or-restart caddy
  fi
  echo "setup done: ${#CHANGED[@]} file(s) changed"
}

main "$@"
