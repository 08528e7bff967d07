#!/bin/bash
# Build containers/Dockerfile with podman and no registry, once per source tree, for every test that
# needs the image (containers.test.ts, engine-wdl.test.ts, engine-nextflow.test.ts):
#   container-build.sh --ensure STORE TAG   build TAG into the podman store STORE unless an image TAG
#                                           built from the same sources is already there
#   container-build.sh --clean STORE        remove the podman storage under STORE, then STORE
# 1. a Debian bookworm base from `mmdebstrap --variant=minbase` (kept in $NMF_BASE_ROOTFS, default
#    ~/.cache/nmf-consensus/bookworm-minbase-procps-gxx.tar, and reused while it exists; procps and g++
#    included, as the Dockerfile installs them only when missing and the build has no network: g++
#    builds the native kernels as it does in an image built with a network), imported with `podman import`;
# 2. a Node base: that rootfs plus this machine's node, npm and Node's headers (Debian's nodejs is 18;
#    the CLI needs 20; the official Node images carry the headers too);
# 3. containers/Dockerfile built with --build-arg NODE_IMAGE=<the Node base>, npm offline from this
#    machine's npm cache (mounted copy-on-write), so the build needs no registry. The image carries
#    the label nmf.context-sha256 (a hash of the build context): a rebuild happens only when it changes.
# It writes STORE/bin/podman, the podman to put first on PATH (or give miniwdl as [podman] exe): it
# uses STORE's configuration, and `podman pull IMAGE` of an image already in STORE is a no-op, since
# nothing can be pulled here (miniwdl pulls every task's image before it runs).
# All podman state (storage, runroot, events) lives under STORE; nothing is left running. Calls for
# the same STORE wait for each other (flock). NMF_CONTEXT_ROOT builds another checkout than this one.
set -euo pipefail
mode="${1:?--ensure STORE TAG | --clean STORE}"
store="$(realpath -m "${2:?podman store folder}")"
if [[ "$mode" == --clean ]]; then
  if [[ -f "$store/storage.conf" ]]; then
    CONTAINERS_CONF="$store/containers.conf" CONTAINERS_STORAGE_CONF="$store/storage.conf" podman system reset --force >/dev/null 2>&1 || true
  fi
  rm -rf "$store"
  exit 0
fi
[[ "$mode" == --ensure ]] || { echo "usage: $0 --ensure STORE TAG | --clean STORE" >&2; exit 2; }
tag="${3:?image tag}"
root="${NMF_CONTEXT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
mkdir -p "$store"/{graph,run,tmp,bin}
exec 9>"$store/.lock"
flock 9
export TMPDIR="$store/tmp"

cat > "$store/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$store/events.log"
CONF
cat > "$store/storage.conf" <<CONF
[storage]
driver = "overlay"
runroot = "$store/run"
graphroot = "$store/graph"
CONF
printf 'unqualified-search-registries = []\n' > "$store/registries.conf"
export CONTAINERS_CONF="$store/containers.conf" CONTAINERS_STORAGE_CONF="$store/storage.conf" CONTAINERS_REGISTRIES_CONF="$store/registries.conf"
real_podman="$(command -v podman)"
cat > "$store/bin/podman" <<SH
#!/bin/sh
# podman on the store $store (written by test/workflows/container-build.sh)
export CONTAINERS_CONF="$store/containers.conf" CONTAINERS_STORAGE_CONF="$store/storage.conf" CONTAINERS_REGISTRIES_CONF="$store/registries.conf" TMPDIR="$store/tmp"
if [ "\$1" = pull ] && [ "\$#" -eq 2 ] && "$real_podman" image exists "\$2"; then
  echo "\$2: in the local store (built by CI), not pulled"
  exit 0
fi
exec "$real_podman" "\$@"
SH
chmod 0755 "$store/bin/podman"

step() { echo "[$(date +%T)] $*"; }

ctx="$store/ctx"
rm -rf "$ctx" && mkdir -p "$ctx"
for p in package.json package-lock.json tsconfig.json tasks bench bin conf schemas containers; do cp -r "$root/$p" "$ctx/"; done
# The hash covers this script too: a change of base (the rootfs packages, the Node base) rebuilds.
sum="$( (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum; sha256sum < "${BASH_SOURCE[0]}") | sha256sum | cut -c1-64)"
if [[ "$(podman image inspect --format '{{index .Labels "nmf.context-sha256"}}' "$tag" 2>/dev/null || true)" == "$sum" ]]; then
  step "$tag is up to date in $store (context $sum)"
  exit 0
fi

rootfs="${NMF_BASE_ROOTFS:-$HOME/.cache/nmf-consensus/bookworm-minbase-procps-gxx.tar}"
if [[ ! -f "$rootfs" || ! -s "$rootfs" ]]; then
  step "mmdebstrap bookworm minbase -> $rootfs"
  mkdir -p "$(dirname "$rootfs")"
  mmdebstrap --quiet --format=tar --variant=minbase --include=libstdc++6,passwd,procps,g++ bookworm "$rootfs.tmp-$$"
  mv "$rootfs.tmp-$$" "$rootfs"
else
  step "base rootfs: $rootfs (from an earlier run)"
fi
step "podman import"
podman import --quiet "$rootfs" localhost/nmfc-debian:bookworm >/dev/null

step "Node base image (this machine's node $(node --version), npm and Node's headers)"
rm -rf "$store/node-ctx" && mkdir -p "$store/node-ctx"
npm_dir="$(dirname "$(dirname "$(realpath "$(command -v npm)")")")"
node_bin="$(realpath "$(command -v node)")"
cp "$node_bin" "$store/node-ctx/node"
cp -r "$npm_dir" "$store/node-ctx/npm"
mkdir -p "$store/node-ctx/include"
if [[ -d "$(dirname "$node_bin")/../include/node" ]]; then cp -r "$(dirname "$node_bin")/../include/node" "$store/node-ctx/include/"; fi
cat > "$store/node-ctx/Dockerfile" <<'DF'
FROM localhost/nmfc-debian:bookworm
COPY node /usr/local/bin/node
COPY include /usr/local/include
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version
DF
podman build --quiet --network none -t localhost/nmfc-node:20 "$store/node-ctx" >/dev/null

step "containers/Dockerfile -> $tag (a build context with only what the image copies)"
# npm inside the build works offline from this machine's npm cache (filled by `npm ci` for the same
# package-lock): no registry traffic, no TLS set-up in the image
printf 'offline=true\n' > "$store/npmrc"
podman build --network none --volume "$HOME/.npm:/root/.npm:O" --volume "$store/npmrc:/root/.npmrc:ro" --build-arg NODE_IMAGE=localhost/nmfc-node:20 \
  --build-arg VERSION="$(node -p "require('$root/package.json').version")" --label "nmf.context-sha256=$sum" \
  -f "$ctx/containers/Dockerfile" -t "$tag" "$ctx"
podman image prune --force >/dev/null 2>&1 || true
step "done"
