#!/bin/sh
# ENTRYPOINT of the nmf-consensus images.
#   docker run IMAGE run --input /data/x.gct --outdir /data/out   -> nmf-consensus run --input ...
#   docker run IMAGE --version                                    -> nmf-consensus --version
#   docker run IMAGE bash -c '...'   (what Nextflow, Cromwell and miniwdl pass) -> runs as is
set -e
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1; then
  exec nmf-consensus "$@"
fi
exec "$@"
