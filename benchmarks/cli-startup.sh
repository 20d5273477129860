#!/bin/sh
# Foundation benchmark: `berth version` vs `docker version` against the same berthd, and
# berthd's idle memory. Prints the ratio; the goal is berth within 2x of docker.
# Needs: bin/build done (for the CLI's AOT cache), hyperfine, the docker CLI.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
RUNS=${RUNS:-10}
DOCKER=${DOCKER:-$(command -v docker || true)}
[ -n "$DOCKER" ] || { echo "needs the docker CLI (DOCKER=/path/to/docker)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -f "$BERTH_HOME/berth-cli/target/berth-cli.aot" ] || "$BERTH_HOME/bin/build"

TMP=$(mktemp -d /tmp/berth-bench.XXXXXX)
cleanup() {
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
echo '{}' > "$TMP/daemon.json"
"$BERTH_HOME/bin/berthd" --data-root "$TMP/data" --exec-root "$TMP/exec" -H "unix://$TMP/b.sock" \
  --config-file "$TMP/daemon.json" > "$TMP/berthd.log" 2>&1 &
PID=$!
i=0
until [ -S "$TMP/b.sock" ]; do i=$((i + 1)); [ "$i" -lt 300 ] || exit 1; sleep 0.1; done
H="unix://$TMP/b.sock"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -w 3 -r "$RUNS" --export-json "$TMP/cli.json" \
  -n berth "$BERTH_HOME/bin/berth -H $H version" \
  -n docker "$DOCKER -H $H version"
BERTH_MS=$(sed -n '/"command": "berth"/,/"mean"/s/.*"mean": \([0-9.e-]*\).*/\1/p' "$TMP/cli.json")
DOCKER_MS=$(sed -n '/"command": "docker"/,/"mean"/s/.*"mean": \([0-9.e-]*\).*/\1/p' "$TMP/cli.json")
awk -v b="$BERTH_MS" -v d="$DOCKER_MS" 'BEGIN { printf "berth version: %.1f ms, docker version: %.1f ms, ratio berth/docker = %.2f (goal <= 2)\n", b*1000, d*1000, b/d }'

# Idle RSS: after start and the requests above, leave the daemon idle for 10 s (its native
# heap is trimmed every 5 s), then read VmRSS.
sleep 10
# bin/berthd execs java, so $PID is the JVM itself.
RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status")
awk -v k="$RSS_KB" 'BEGIN { printf "berthd idle RSS: %.1f MB (goal <= 80 MB; dockerd + containerd idle: 126 MB)\n", k/1024 }'
