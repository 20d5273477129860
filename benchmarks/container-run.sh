#!/bin/sh
# Container benchmark: `run --rm --network none busybox true` through the berth CLI and the
# docker CLI against berthd, `runc run` of an equivalent bundle (the floor an engine adds to),
# docker 20.10 (a dockerd started here on temp dirs), and podman when installed. Same image
# everywhere: a rootfs of Debian's static busybox, imported into each engine. Prints ratios,
# from hyperfine (RUNS runs of each command in a block) and from ROUNDS interleaved rounds.
# Also: containers per second over CYCLES create+start+rm cycles through the docker CLI,
# berthd RSS with IDLE idle containers, conmon RSS per container. berthd is warmed up first by
# WARM runs (a daemon runs for long; its JIT compiles the hot path after a few dozen).
# Needs: root, bin/build done, hyperfine, runc, conmon, busybox-static; dockerd/podman optional.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$BERTH_HOME/benchmarks/lib/bench.sh"
RUNS=${RUNS:-20}
ROUNDS=${ROUNDS:-20}
CYCLES=${CYCLES:-50}
IDLE=${IDLE:-50}
WARM=${WARM:-50}
DOCKER=${DOCKER:-$(command -v docker || true)}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -n "$DOCKER" ] || { echo "needs the docker CLI (DOCKER=/path/to/docker)" >&2; exit 1; }
[ "$BERTH_HOME/berth-cli/target/berth-cli.aot" -nt "$BERTH_HOME/berth-cli/target/berth-cli.jar" ] || "$BERTH_HOME/bin/build"

TMP=$(mktemp -d /tmp/berth-bench.XXXXXX)
cleanup() {
  [ -z "${H-}" ] || { ids=$("$DOCKER" -H "$H" ps -aq 2>/dev/null || true); [ -z "$ids" ] || "$DOCKER" -H "$H" rm -f $ids >/dev/null 2>&1 || true; }
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  [ -z "${DPID-}" ] || { kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null || true; }
  runc --root "$TMP/runc" delete -f bench >/dev/null 2>&1 || true
  rmdir /sys/fs/cgroup/*/berth-bench-runc /sys/fs/cgroup/unified/berth-bench-runc 2>/dev/null || true
  for m in $(findmnt -rn -o TARGET | grep "^$TMP" | sort -r); do umount -l "$m" || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# The image: busybox-static and its applets, as a tar for every engine and a runc bundle.
busybox_rootfs
mkdir -p "$TMP/bundle"
(cd "$TMP/bundle" && runc spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"/"\/bin\/true"/' config.json \
  && sed -i "s|\"path\": \"rootfs\"|\"path\": \"$TMP/rootfs\"|" config.json)

echo '{}' > "$TMP/daemon.json"
start_berthd
H="unix://$TMP/b.sock"
$B import "$TMP/busybox.tar" busybox:bench >/dev/null

# The equivalent bundle: the config.json berthd generates for this image (Docker's seccomp
# profile, capabilities, masked paths, cgroup), run by runc alone. Seccomp alone costs runc
# 15-40 ms here (libseccomp compiles the profile for x86_64, x86 and x32 on every start).
id=$("$DOCKER" -H "$H" run -d --network none busybox:bench sleep 60)
mkdir -p "$TMP/spec-bundle"
for f in config.json hosts hostname resolv.conf; do cp "$TMP/data/containers/$id/$f" "$TMP/spec-bundle/$f"; done
"$DOCKER" -H "$H" rm -f "$id" >/dev/null
python3 - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
path = f"{tmp}/spec-bundle/config.json"
spec = json.load(open(path))
spec["process"]["args"] = ["/bin/true"]
spec["root"]["path"] = f"{tmp}/rootfs"
for m in spec["mounts"]:
    if m["destination"] in ("/etc/hosts", "/etc/hostname", "/etc/resolv.conf"):
        m["source"] = f"{tmp}/spec-bundle/{m['destination'][5:]}"
spec["linux"]["cgroupsPath"] = "/berth-bench-runc"
json.dump(spec, open(path, "w"))
PY

set -- -n "runc run" "runc --root $TMP/runc run -b $TMP/bundle bench" \
  -n "runc run, Berth's spec" "runc --root $TMP/runc run -b $TMP/spec-bundle bench" \
  -n "docker CLI -> berthd" "$DOCKER -H $H run --rm --network none busybox:bench true" \
  -n "berth CLI -> berthd" "$B run --rm --network none busybox:bench true"
if [ -x /usr/sbin/dockerd ]; then
  /usr/sbin/dockerd --data-root "$TMP/docker" --exec-root "$TMP/dexec" -H "unix://$TMP/d.sock" \
    --pidfile "$TMP/dockerd.pid" --bridge=none --iptables=false --ip-masq=false > "$TMP/dockerd.log" 2>&1 &
  DPID=$!
  i=0
  until "$DOCKER" -H "unix://$TMP/d.sock" version >/dev/null 2>&1; do i=$((i + 1)); [ "$i" -lt 300 ] || exit 1; sleep 0.2; done
  "$DOCKER" -H "unix://$TMP/d.sock" import "$TMP/busybox.tar" busybox:bench >/dev/null
  set -- "$@" -n "docker 20.10" "$DOCKER -H unix://$TMP/d.sock run --rm --network none busybox:bench true"
fi
if command -v podman >/dev/null; then
  # runc: podman's default crun refuses this host's hybrid cgroups. The ulimits: podman's default
  # rlimits exceed what a process without CAP_SYS_RESOURCE may set here (see the platform notes).
  PODMAN="podman --root $TMP/podman --runroot $TMP/prun --cgroup-manager cgroupfs --events-backend none --runtime runc"
  $PODMAN import "$TMP/busybox.tar" localhost/busybox:bench >/dev/null
  set -- "$@" -n "podman" "$PODMAN run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/busybox:bench true"
else
  echo "podman is not installed: skipped (apt-get install podman to compare)"
fi

# berthd is a long-running daemon: measure it warm, after its JIT has compiled the run path
# (a fresh berthd's first few dozen runs are 10-20% slower). Go engines need no warm-up.
n=0
while [ "$n" -lt "$WARM" ]; do
  "$DOCKER" -H "$H" run --rm --network none busybox:bench true
  n=$((n + 1))
done

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -w 3 -r "$RUNS" --export-json "$TMP/run.json" "$@"
mean() { sed -n "/\"command\": \"$1\"/,/\"mean\"/s/.*\"mean\": \([0-9.e-]*\).*/\1/p" "$TMP/run.json"; }
RUNC=$(mean "runc run")
SPEC=$(mean "runc run, Berth's spec")
for name in "docker CLI -> berthd" "berth CLI -> berthd" "docker 20.10" "podman"; do
  m=$(mean "$name")
  [ -z "$m" ] || awk -v n="$name" -v m="$m" -v r="$RUNC" -v s="$SPEC" \
    'BEGIN { printf "%-22s %7.1f ms  %5.2fx runc  %5.2fx runc with Berth'"'"'s spec\n", n, m*1000, m/r, m/s }'
done
awk -v r="$RUNC" 'BEGIN { printf "%-22s %7.1f ms  (runc spec'"'"'s bundle: no seccomp, no cgroup limits)\n", "runc run", r*1000 }'
awk -v r="$SPEC" 'BEGIN { printf "%-22s %7.1f ms  (the equivalent bundle; goal: docker CLI -> berthd <= 2.5x)\n", "runc, Berth'"'"'s spec", r*1000 }'

# The same commands interleaved: ROUNDS rounds of each once, 0.3 s apart, medians. hyperfine runs
# each command in a block, so a machine that drifts between blocks moves the ratios, and a
# command's background work (podman's exit command, `podman container cleanup`) lands on its
# own next run; here each command starts on a quiet machine and the drift hits all alike.
echo "interleaved, $ROUNDS rounds (medians):"
python3 - "$ROUNDS" "$@" <<'PY'
import statistics, subprocess, sys, time
rounds = int(sys.argv[1]); args = sys.argv[2:]
names = args[1::3]; commands = args[2::3]
times = {n: [] for n in names}
for _ in range(rounds):
    for name, command in zip(names, commands):
        time.sleep(0.3)
        t = time.perf_counter()
        subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times[name].append((time.perf_counter() - t) * 1000)
med = {n: statistics.median(v) for n, v in times.items()}
spec = med["runc run, Berth's spec"]
for n in names:
    line = f"  {n:22} {med[n]:7.1f} ms  {med[n] / spec:5.2f}x runc with Berth's spec"
    if n == "berth CLI -> berthd" and "podman" in med:
        line += f"  {med[n] / med['podman']:5.2f}x podman"
    print(line)
PY

# Throughput: create+start+rm cycles through the docker CLI (the engine path).
start=$(date +%s.%N)
n=0
while [ "$n" -lt "$CYCLES" ]; do
  id=$("$DOCKER" -H "$H" run -d --network none busybox:bench sleep 30)
  "$DOCKER" -H "$H" rm -f "$id" >/dev/null
  n=$((n + 1))
done
end=$(date +%s.%N)
awk -v n="$CYCLES" -v s="$start" -v e="$end" 'BEGIN { printf "%d create+start+rm cycles: %.1f containers/s\n", n, n/(e-s) }'

# Memory with idle containers.
n=0
while [ "$n" -lt "$IDLE" ]; do
  "$DOCKER" -H "$H" run -d --network none busybox:bench sleep 600 >/dev/null
  n=$((n + 1))
done
sleep 6
RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status")
CONMON_KB=$(for p in $(pgrep -f "conmon.*$TMP/exec"); do awk '/^VmRSS:/ { print $2 }' "/proc/$p/status"; done | awk '{ s += $1; n++ } END { if (n) printf "%d", s / n; else print 0 }')
awk -v k="$RSS_KB" -v n="$IDLE" 'BEGIN { printf "berthd RSS with %d idle containers: %.1f MB\n", n, k/1024 }'
awk -v k="$CONMON_KB" 'BEGIN { printf "conmon RSS per container: %.1f MB\n", k/1024 }'
