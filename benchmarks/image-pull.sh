#!/bin/sh
# Images benchmark: pull + unpack of a ~200 MB, 5-layer image from a loopback registry into an
# empty store, vs `skopeo copy docker://… oci:DIR` (which does not unpack), in the same run.
# Then unpack throughput on its own (LayerUnpackBenchmark, beside GNU tar).
# Goal: Berth's pull plus unpack <= 1.2x skopeo's copy.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
RUNS=${RUNS:-5}
LAYERS=${LAYERS:-5}
MB_PER_LAYER=${MB_PER_LAYER:-40}
cd "$BERTH_HOME"
. "$BERTH_HOME/bin/lib/find-jdk.sh"
[ -f berth-cli/target/berth-cli.aot ] || bin/build
./mvnw -B -q -pl berth-testkit,berth-engine -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=/tmp/berth-bench-cp.txt -Dmdep.includeScope=test > /dev/null

TMP=$(mktemp -d /tmp/berth-bench-pull.XXXXXX)
cleanup() {
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  [ -z "${REG-}" ] || { kill "$REG" 2>/dev/null; wait "$REG" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
CP="berth-testkit/target/classes:berth-engine/target/classes:berth-engine/target/test-classes:$(cat /tmp/berth-bench-cp.txt)"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $TMP/registry
http:
  addr: 127.0.0.1:$PORT
YML
docker-registry serve "$TMP/registry.yml" > "$TMP/registry.log" 2>&1 &
REG=$!
until curl -sf "http://127.0.0.1:$PORT/v2/" > /dev/null; do sleep 0.1; done
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP" dev.berth.testkit.image.GenerateImage \
  "$TMP/layout" bench "$LAYERS" "$MB_PER_LAYER" > /dev/null
NAME="127.0.0.1:$PORT/bench/big:latest"
skopeo copy -q --dest-tls-verify=false "oci:$TMP/layout:bench" "docker://$NAME"
SIZE_MB=$(du -sm "$TMP/layout/blobs" | cut -f1)

echo '{}' > "$TMP/daemon.json"
bin/berthd --data-root "$TMP/data" --exec-root "$TMP/exec" -H "unix://$TMP/b.sock" \
  --config-file "$TMP/daemon.json" > "$TMP/berthd.log" 2>&1 &
PID=$!
until [ -S "$TMP/b.sock" ]; do sleep 0.1; done
B="$BERTH_HOME/bin/berth -H unix://$TMP/b.sock"

echo "image: $SIZE_MB MB in $((LAYERS + 3)) layers; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -r "$RUNS" --export-json "$TMP/pull.json" \
  -n berth-pull --prepare "sh -c '$B rmi -f $NAME > /dev/null 2>&1 || true'" "$B pull -q $NAME" \
  -n skopeo-copy --prepare "rm -rf $TMP/skopeo" "skopeo copy -q --src-tls-verify=false docker://$NAME oci:$TMP/skopeo:bench"
BERTH_S=$(sed -n '/"command": "berth-pull"/,/"mean"/s/.*"mean": \([0-9.e-]*\).*/\1/p' "$TMP/pull.json")
SKOPEO_S=$(sed -n '/"command": "skopeo-copy"/,/"mean"/s/.*"mean": \([0-9.e-]*\).*/\1/p' "$TMP/pull.json")
awk -v b="$BERTH_S" -v s="$SKOPEO_S" -v mb="$SIZE_MB" 'BEGIN {
  printf "berth pull+unpack: %.2f s (%.0f MB/s), skopeo copy: %.2f s (%.0f MB/s), ratio berth/skopeo = %.2f (goal <= 1.2)\n",
    b, mb / b, s, mb / s, b / s }'

echo "unpack throughput on its own:"
mkdir -p "$TMP/unpack"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP" dev.berth.engine.image.layer.LayerUnpackBenchmark "$TMP/unpack"
