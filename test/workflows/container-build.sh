#!/bin/bash
# Build containers/Dockerfile with podman and no registry, then run the CLI in it on the example:
#   container-build.sh WORK IMAGE_TAG      build and run (below)
#   container-build.sh --clean WORK        remove the podman storage under WORK, then WORK
# 1. a Debian bookworm base from `mmdebstrap --variant=minbase` (kept in $NMF_BASE_ROOTFS, default
#    ~/.cache/nmf-consensus/bookworm-minbase.tar, and reused while it exists), imported with `podman import`;
# 2. a Node base: that rootfs plus this machine's node and npm (Debian's nodejs is 18; the CLI needs 20);
# 3. containers/Dockerfile built with --build-arg NODE_IMAGE=<the Node base>, npm offline from this
#    machine's npm cache (mounted copy-on-write), so the build needs no registry;
# 4. `run` on the example inside the image as its non-root user, into WORK/out.
# All podman state (storage, runroot, events) lives under WORK; nothing is left running.
set -euo pipefail
if [[ "${1:-}" == --clean ]]; then
  work="$(realpath -m "${2:?work folder}")"
  if [[ -f "$work/storage.conf" ]]; then
    CONTAINERS_CONF="$work/containers.conf" CONTAINERS_STORAGE_CONF="$work/storage.conf" podman system reset --force >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit 0
fi
work="$(realpath -m "${1:?work folder}")"; tag="${2:?image tag}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$work"/{graph,run,tmp,ctx,node-ctx,out}
export TMPDIR="$work/tmp"

cat > "$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/events.log"
CONF
cat > "$work/storage.conf" <<CONF
[storage]
driver = "overlay"
runroot = "$work/run"
graphroot = "$work/graph"
CONF
printf 'unqualified-search-registries = []\n' > "$work/registries.conf"
export CONTAINERS_CONF="$work/containers.conf" CONTAINERS_STORAGE_CONF="$work/storage.conf" CONTAINERS_REGISTRIES_CONF="$work/registries.conf"

step() { echo "[$(date +%T)] $*"; }

rootfs="${NMF_BASE_ROOTFS:-$HOME/.cache/nmf-consensus/bookworm-minbase.tar}"
if [[ ! -f "$rootfs" || ! -s "$rootfs" ]]; then
  step "mmdebstrap bookworm minbase -> $rootfs"
  mkdir -p "$(dirname "$rootfs")"
  mmdebstrap --quiet --format=tar --variant=minbase --include=libstdc++6,passwd bookworm "$rootfs.tmp-$$"
  mv "$rootfs.tmp-$$" "$rootfs"
else
  step "base rootfs: $rootfs (from an earlier run)"
fi
step "podman import"
podman import --quiet "$rootfs" localhost/nmfc-debian:bookworm >/dev/null

step "Node base image (this machine's node $(node --version) and npm)"
node_bin="$(command -v node)"
npm_dir="$(dirname "$(dirname "$(realpath "$(command -v npm)")")")"
cp "$node_bin" "$work/node-ctx/node"
cp -r "$npm_dir" "$work/node-ctx/npm"
cat > "$work/node-ctx/Dockerfile" <<'DF'
FROM localhost/nmfc-debian:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version
DF
podman build --quiet --network none -t localhost/nmfc-node:20 "$work/node-ctx" >/dev/null

step "containers/Dockerfile (a build context with only what the image copies)"
for p in package.json package-lock.json tsconfig.json tasks bench bin conf schemas containers; do cp -r "$root/$p" "$work/ctx/"; done
# npm inside the build works offline from this machine's npm cache (filled by `npm ci` for the same
# package-lock): no registry traffic, no TLS set-up in the image
printf 'offline=true\n' > "$work/npmrc"
podman build --network none --volume "$HOME/.npm:/root/.npm:O" --volume "$work/npmrc:/root/.npmrc:ro" --build-arg NODE_IMAGE=localhost/nmfc-node:20 \
  --build-arg VERSION="$(node -p "require('$root/package.json').version")" -f "$work/ctx/containers/Dockerfile" -t "$tag" "$work/ctx"

step "run the example in the image"
cp "$root/examples/ALL_AML_data.gct" "$work/out/"
chmod 0777 "$work/out"
podman run --rm --network none -v "$work/out:/data" "$tag" run --input /data/ALL_AML_data.gct --outdir /data/result \
  --ks 2-3 --restarts 4 --max-iter 200 --backend wasm
podman run --rm --network none "$tag" --version > "$work/version.txt"
podman run --rm --network none "$tag" bash -c 'id -un; nmf-consensus --version' > "$work/engine-style.txt"
podman image inspect --format '{{.Config.User}}|{{json .Config.Entrypoint}}|{{index .Labels "org.opencontainers.image.version"}}' "$tag" > "$work/inspect.txt"
step "done"
