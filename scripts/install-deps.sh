#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine (run as root). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(skopeo podman buildah umoci runc busybox-static docker-registry docker-compose
              clang zlib1g-dev uidmap util-linux iproute2 postgresql-15 libcap2-bin
              fuse-overlayfs xfsprogs e2fsprogs socat tmux chromium
              xz-utils bzip2 zstd gcc libc6-dev strace
              slapd ldap-utils libldap-2.5-0)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Local S3 and Azure Blob servers for the storage contract tests (versions pinned in package.json).
if [ ! -x scripts/node_modules/.bin/s3rver ] || [ ! -x scripts/node_modules/.bin/azurite-blob ] \
   || [ ! -f scripts/node_modules/oidc-provider/package.json ]; then
  (cd scripts && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
