#!/bin/sh
# Images benchmark: pull + unpack of a ~200 MB image (busybox's 3 layers + 5 random 40 MB ones)
# from a loopback registry into an empty store, vs `skopeo copy docker://… oci:DIR` (which does
# not unpack), interleaved in the same run; the first pull after berthd starts (cold JIT) on its
# own. Then unpack throughput on its own (LayerUnpackBenchmark, beside GNU tar).
# Goal: Berth's pull plus unpack <= 1.2x skopeo's copy (median of the per-run ratios).
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
RUNS=${RUNS:-5}
WARM=${WARM:-3}
LAYERS=${LAYERS:-5}
MB_PER_LAYER=${MB_PER_LAYER:-40}
cd "$BERTH_HOME"
. "$BERTH_HOME/bin/lib/find-jdk.sh"
# bin/berth ignores an AOT cache older than the jar: rebuild it then, or the CLI starts slower.
[ berth-cli/target/berth-cli.aot -nt berth-cli/target/berth-cli.jar ] || bin/build
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
now() { date +%s.%N; }
# The first pull after berthd starts runs before the JIT has compiled the hashing, inflating
# and copying paths: reported on its own, not mixed into the steady-state numbers.
T0=$(now); $B pull -q "$NAME" > /dev/null; T1=$(now)
awk -v a="$T0" -v b="$T1" 'BEGIN { printf "first pull after berthd start (cold JIT): %.2f s\n", b - a }'
# A few more to warm it up (C2 compiles after some thousand calls): a daemon runs for long.
for i in $(seq "$WARM"); do
  $B rmi -f "$NAME" > /dev/null 2>&1 || true
  $B pull -q "$NAME" > /dev/null
done
# Interleaved, so that all see the same load (this machine is shared): berth, docker, skopeo, ...
# The docker CLI (when installed) pulls through the same berthd: Berth's engine without the
# berth CLI's JVM start.
DOCKER=$(command -v docker || true)
: > "$TMP/times"
for i in $(seq "$RUNS"); do
  $B rmi -f "$NAME" > /dev/null 2>&1 || true
  sync
  T0=$(now); $B pull -q "$NAME" > /dev/null; T1=$(now)
  D0=0; D1=0
  if [ -n "$DOCKER" ]; then
    $B rmi -f "$NAME" > /dev/null 2>&1 || true
    sync
    D0=$(now); "$DOCKER" -H "unix://$TMP/b.sock" pull -q "$NAME" > /dev/null; D1=$(now)
  fi
  rm -rf "$TMP/skopeo"
  sync
  T2=$(now); skopeo copy -q --src-tls-verify=false "docker://$NAME" "oci:$TMP/skopeo:bench"; T3=$(now)
  echo "$T0 $T1 $T2 $T3 $D0 $D1" | awk '{ printf "%.3f %.3f %.3f\n", $2 - $1, $4 - $3, $6 - $5 }' >> "$TMP/times"
  awk -v n="$i" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'END {
    printf "run %d: berth %.2f s, skopeo %.2f s, ratio %.2f", n, $1, $2, $1 / $2
    if ($3 > 0) printf "; docker CLI -> berthd %.2f s, ratio %.2f", $3, $3 / $2
    printf " (load %s)\n", load }' "$TMP/times"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
BERTH_S=$(cut -d' ' -f1 "$TMP/times" | median)
SKOPEO_S=$(cut -d' ' -f2 "$TMP/times" | median)
DOCKER_S=$(cut -d' ' -f3 "$TMP/times" | median)
RATIO=$(awk '{ print $1 / $2 }' "$TMP/times" | median)
DOCKER_RATIO=$(awk '{ print $3 / $2 }' "$TMP/times" | median)
awk -v b="$BERTH_S" -v s="$SKOPEO_S" -v r="$RATIO" -v d="$DOCKER_S" -v dr="$DOCKER_RATIO" -v mb="$SIZE_MB" -v n="$RUNS" 'BEGIN {
  printf "medians of %d: berth pull+unpack %.2f s (%.0f MB/s), skopeo copy %.2f s (%.0f MB/s); median ratio berth/skopeo = %.2f (goal <= 1.2)\n",
    n, b, mb / b, s, mb / s, r
  if (d > 0) printf "docker CLI -> berthd pull+unpack %.2f s; median ratio %.2f\n", d, dr }'
echo "unpack throughput on its own:"
mkdir -p "$TMP/unpack"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP" dev.berth.engine.image.layer.LayerUnpackBenchmark "$TMP/unpack"
