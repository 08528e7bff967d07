#!/bin/bash
# Install Nextflow from Maven Central alone (no get.nextflow.io, no GitHub), for machines that reach
# only package registries:
#   scripts/install-nextflow.sh DIR      -> DIR/nextflow (executable) and DIR/nextflow-<version>/lib/*.jar
# Maven resolves io.nextflow:nextflow:$NXF_VER and every dependency into its own cache (~/.m2, or
# $NXF_M2_REPO; outside the repository) and copies the jars to DIR; DIR/nextflow starts
# nextflow.cli.Launcher with java (17 or newer, on PATH or $JAVA_HOME). Idempotent: a second call
# with the same version only checks that the launcher is there.
# NXF_VER (default 24.10.0): the newest release whose whole dependency tree is on Maven Central, as
# checked on 2026-11-30: 25.04.0-25.04.4 and 25.05.0-edge need io.nextflow:nf-lang:<same version>
# (only 25.04.0 is published) and io.seqera:lib-trace:0.1.0 (not published); 24.10.1-24.10.6 need
# io.nextflow:nf-httpfs:<same version> (only 24.10.0 is published). The script fails, naming the
# missing artifacts, when a dependency does not resolve.
# Plugins (nf-schema, nf-amazon, nf-google, ...) come from Nextflow's plugin registry, not from Maven
# Central: they are not installed; see workflows/nextflow/nextflow.config (--validate_params false).
set -euo pipefail
dir="${1:?usage: install-nextflow.sh DIR}"
ver="${NXF_VER:-24.10.0}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
lib="$dir/nextflow-$ver/lib"
if [[ -x "$dir/nextflow" && -f "$lib/nextflow-$ver.jar" && -f "$lib/.complete" ]]; then
  echo "nextflow $ver already installed in $dir"
  exit 0
fi
command -v mvn >/dev/null || { echo "install-nextflow.sh: mvn not found (apt-get install maven)" >&2; exit 2; }
command -v java >/dev/null || [[ -n "${JAVA_HOME:-}" ]] || { echo "install-nextflow.sh: java not found (apt-get install openjdk-17-jre-headless)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.nmf-consensus</groupId>
  <artifactId>nextflow-install</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.nextflow</groupId><artifactId>nextflow</artifactId><version>$ver</version></dependency>
  </dependencies>
</project>
POM
m2=()
[[ -n "${NXF_M2_REPO:-}" ]] && m2=("-Dmaven.repo.local=$NXF_M2_REPO")
rm -rf "$lib.tmp" && mkdir -p "$lib.tmp"
if ! mvn -B -q -f "$work/pom.xml" "${m2[@]}" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib.tmp" > "$work/mvn.log" 2>&1; then
  echo "install-nextflow.sh: Maven could not resolve io.nextflow:nextflow:$ver from Maven Central:" >&2
  grep -E "Could not (resolve|find)|not found|missing" "$work/mvn.log" | sed 's/^/  /' | head -20 >&2
  rm -rf "$lib.tmp"
  exit 3
fi
touch "$lib.tmp/.complete"
rm -rf "$lib" && mv "$lib.tmp" "$lib"

cat > "$dir/nextflow.tmp" <<SH
#!/bin/bash
# Nextflow $ver from Maven Central (scripts/install-nextflow.sh); same JVM options as Nextflow's own launcher.
java_bin="\${JAVA_HOME:+\$JAVA_HOME/bin/}java"
exec "\$java_bin" -XX:+TieredCompilation -XX:TieredStopAtLevel=1 \${NXF_OPTS:-} \\
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \\
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.nio.file.spi=ALL-UNNAMED \\
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \\
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \\
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.fs=ALL-UNNAMED \\
  --add-opens=java.base/sun.net.www.protocol.http=ALL-UNNAMED --add-opens=java.base/sun.net.www.protocol.https=ALL-UNNAMED \\
  --add-opens=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED --add-opens=java.base/sun.net.www.protocol.file=ALL-UNNAMED \\
  --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/jdk.internal.vm=ALL-UNNAMED \\
  --add-opens=java.base/java.util.regex=ALL-UNNAMED \\
  -cp "$lib/*" nextflow.cli.Launcher "\$@"
SH
chmod 0755 "$dir/nextflow.tmp" && mv "$dir/nextflow.tmp" "$dir/nextflow"
echo "nextflow $ver installed in $dir ($(ls "$lib" | wc -l) jars)"
