#!/bin/sh
# CRI benchmark: one busybox pod through crictl, RunPodSandbox + CreateContainer + StartContainer
# ("up") and StopContainer + RemoveContainer + StopPodSandbox + RemovePodSandbox ("down"), against
# berthd's CRI and against containerd 1.6 (Debian's, with its CRI plugin, started here on temp
# roots with restrict_oom_score_adj = true, as this host needs). Both use a CNI bridge network,
# runc, and the same image (Debian's static busybox; containerd's pause image is catatonit -P, as
# Berth's infra container). Each side is warmed up by WARM pods first (berthd's JIT compiles the
# hot path; containerd needs none but gets the same), then ROUNDS interleaved rounds: medians and
# ratios. Also RSS with IDLE idle pods: berthd (+ conmons) vs containerd (+ its shims).
# The pod is what kubelet sends for a pod without shareProcessNamespace (PID namespace mode
# CONTAINER), so Berth runs it without an infra container (decision 2100); containerd always starts
# its pause container. Both get the same CNI conflist (bridge, host-local, portmap; no masquerade),
# each on a bridge and subnet of its own (berthd through --cni-config-dir, so the host's
# /etc/cni/net.d is not touched).
# STEPS=1 also times each crictl command alone.
# BERTHD_FLAGS: extra berthd flags (e.g. "--log-level debug" times each CRI call); KEEP_LOG=FILE
# copies berthd's log there at the end.
# Needs: root, bin/build done, crictl (BERTH_CRI_TOOLS or ../shared/tools), runc, conmon,
# catatonit, busybox-static, CNI plugins in /usr/lib/cni; containerd optional.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$BERTH_HOME/benchmarks/lib/bench.sh"
ROUNDS=${ROUNDS:-15}
WARM=${WARM:-10}
IDLE=${IDLE:-20}
TOOLS=${BERTH_CRI_TOOLS:-$(cd "$BERTH_HOME/.." && pwd)/shared/tools}
CRICTL="$TOOLS/crictl"
[ -x "$CRICTL" ] || { echo "needs crictl: set BERTH_CRI_TOOLS to the directory holding it" >&2; exit 1; }
[ -f "$BERTH_HOME/berth-daemon/target/berth-daemon.jar" ] || "$BERTH_HOME/bin/build"

TMP=$(mktemp -d /tmp/berth-cri-bench.XXXXXX)
: > "$TMP/crictl.yaml" # an empty config: crictl warns on every call without one
CRICTL="$CRICTL --config $TMP/crictl.yaml"
# containerd's CRI names its pods' namespaces /run/netns/cni-*; one it has not freed when it is
# stopped stays there (with its veth), so the ones this run made are removed at the end.
NETNS_BEFORE=$(ls /run/netns 2>/dev/null)
cleanup() {
  for ep in ${BEP-} ${CEP-}; do
    $CRICTL -r "$ep" -i "$ep" rmp -a -f >/dev/null 2>&1 || true
  done
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  [ -z "${CPID-}" ] || { kill "$CPID" 2>/dev/null; wait "$CPID" 2>/dev/null || true; }
  for p in $(pgrep -f "containerd-shim-runc-v2.*$TMP" || true); do kill "$p" 2>/dev/null || true; done
  for m in $(findmnt -rn -o TARGET | grep "^$TMP" | sort -r); do umount -l "$m" || true; done
  for ns in $(ls /run/netns 2>/dev/null); do
    case "$ns" in
      cni-*) printf '%s\n' "$NETNS_BEFORE" | grep -qx "$ns" || ip netns delete "$ns" 2>/dev/null || true ;;
    esac
  done
  ip link del berth-bench-ctd 2>/dev/null || true
  ip link del berth-bench-b 2>/dev/null || true
  [ -z "${KEEP_LOG-}" ] || cp "$TMP/berthd.log" "$KEEP_LOG" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# The image: busybox-static and its applets.
busybox_rootfs
mkdir -p "$TMP/pause/bin"
cp /usr/bin/catatonit "$TMP/pause/bin/catatonit"
tar -C "$TMP/pause" -cf "$TMP/pause.tar" .

# one CNI conflist for both runtimes, each with its own bridge, subnet and address store
conflist() { # NAME BRIDGE SUBNET IPAM-DIR
  cat <<JSON
{"cniVersion": "0.4.0", "name": "$1", "plugins": [
  {"type": "bridge", "bridge": "$2", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$3"}]], "dataDir": "$4"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
}
mkdir -p "$TMP/berth-cni"
conflist bench berth-bench-b 10.237.0.0/16 "$TMP/berth-ipam" > "$TMP/berth-cni/10-bench.conflist"
echo '{}' > "$TMP/daemon.json"
start_berthd --cri-socket "$TMP/cri.sock" --cni-config-dir "$TMP/berth-cni" --cni-plugin-dir /usr/lib/cni ${BERTHD_FLAGS-}
$B import "$TMP/busybox.tar" busybox:bench >/dev/null
BEP="unix://$TMP/cri.sock"

cat > "$TMP/pod.json" <<JSON
{"metadata": {"name": "bench", "namespace": "default", "uid": "bench-uid", "attempt": 0}, "log_directory": "$TMP/logs",
 "linux": {"security_context": {"namespace_options": {"pid": 1}}}}
JSON
cat > "$TMP/ctr.json" <<JSON
{"metadata": {"name": "sleeper"}, "image": {"image": "docker.io/library/busybox:bench"}, "command": ["sleep", "3600"], "log_path": "sleeper.log", "linux": {}}
JSON
mkdir -p "$TMP/logs"

# up and down as two scripts, so each is one timed command
cat > "$TMP/up.sh" <<SH
#!/bin/sh
set -e
c="$CRICTL -r \$1 -i \$1"
pod=\$(\$c runp $TMP/pod.json)
ctr=\$(\$c create "\$pod" $TMP/ctr.json $TMP/pod.json)
\$c start "\$ctr" >/dev/null
echo "\$pod \$ctr" > "$TMP/last-\$2"
SH
cat > "$TMP/down.sh" <<SH
#!/bin/sh
set -e
c="$CRICTL -r \$1 -i \$1"
read pod ctr < "$TMP/last-\$2"
\$c stop -t 0 "\$ctr" >/dev/null
\$c rm "\$ctr" >/dev/null
\$c stopp "\$pod" >/dev/null
\$c rmp "\$pod" >/dev/null
SH
chmod +x "$TMP/up.sh" "$TMP/down.sh"

SIDES="berth"
if command -v containerd >/dev/null; then
  mkdir -p "$TMP/ctd/cni"
  conflist bench berth-bench-ctd 10.236.0.0/16 "$TMP/ctd/ipam" > "$TMP/ctd/cni/10-bench.conflist"
  cat > "$TMP/ctd/config.toml" <<TOML
version = 2
root = "$TMP/ctd/root"
state = "$TMP/ctd/state"
[grpc]
  address = "$TMP/ctd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
  sandbox_image = "localhost/pause:bench"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$TMP/ctd/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
TOML
  containerd --config "$TMP/ctd/config.toml" > "$TMP/containerd.log" 2>&1 &
  CPID=$!
  CEP="unix://$TMP/ctd/containerd.sock"
  i=0
  until $CRICTL -r "$CEP" -i "$CEP" version >/dev/null 2>&1; do i=$((i + 1)); [ "$i" -lt 150 ] || { cat "$TMP/containerd.log"; exit 1; }; sleep 0.2; done
  # the same images, through berth's save (docker-save archives ctr imports)
  $B import --change 'ENTRYPOINT ["/bin/catatonit", "-P"]' "$TMP/pause.tar" localhost/pause:bench >/dev/null
  $B save -o "$TMP/images.tar" busybox:bench localhost/pause:bench
  ctr --address "$TMP/ctd/containerd.sock" -n k8s.io images import "$TMP/images.tar" >/dev/null
  SIDES="berth containerd"
else
  echo "containerd is not installed: Berth only (apt-get install containerd to compare)"
fi
endpoint() { if [ "$1" = berth ]; then echo "$BEP"; else echo "$CEP"; fi; }

for side in $SIDES; do
  n=0
  while [ "$n" -lt "$WARM" ]; do "$TMP/up.sh" "$(endpoint $side)" "$side"; "$TMP/down.sh" "$(endpoint $side)" "$side"; n=$((n + 1)); done
done

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $WARM warm-up pods per runtime, then $ROUNDS interleaved rounds (medians)"
python3 - "$ROUNDS" "$TMP" "$SIDES" "$BEP" "${CEP-}" <<'PY'
import statistics, subprocess, sys, time
rounds, tmp, sides, bep, cep = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(), sys.argv[4], sys.argv[5]
ep = {"berth": bep, "containerd": cep}
times = {(s, k): [] for s in sides for k in ("up", "down")}
for _ in range(rounds):
    for s in sides:
        for k in ("up", "down"):
            time.sleep(0.3)
            t = time.perf_counter()
            subprocess.run([f"{tmp}/{k}.sh", ep[s], s], check=True, stdout=subprocess.DEVNULL)
            times[(s, k)].append((time.perf_counter() - t) * 1000)
med = {key: statistics.median(v) for key, v in times.items()}
for k in ("up", "down"):
    line = f"  {k:5} berth {med[('berth', k)]:7.1f} ms"
    if "containerd" in sides:
        line += f"   containerd {med[('containerd', k)]:7.1f} ms   ratio {med[('berth', k)] / med[('containerd', k)]:.2f}x (goal <= 0.7x)"
    print(line)
PY

# STEPS=1: each crictl command timed on its own (interleaved rounds, medians), to see which call
# differs; a command's time includes crictl's own start, the same for both runtimes.
if [ "${STEPS-0}" = 1 ]; then
  python3 - "$ROUNDS" "$TMP" "$SIDES" "$BEP" "${CEP-}" "$CRICTL" <<'PY'
import statistics, subprocess, sys, time
rounds, tmp, sides, bep, cep, crictl = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(), sys.argv[4], sys.argv[5], sys.argv[6].split()
ep = {"berth": bep, "containerd": cep}
steps = ("runp", "create", "start", "stop", "rm", "stopp", "rmp")
times = {(s, k): [] for s in sides for k in steps}
def run(side, step, *args):
    t = time.perf_counter()
    out = subprocess.run(crictl + ["-r", ep[side], "-i", ep[side], step, *args], check=True, capture_output=True, text=True).stdout.strip()
    times[(side, step)].append((time.perf_counter() - t) * 1000)
    return out
for _ in range(rounds):
    for s in sides:
        time.sleep(0.3)
        pod = run(s, "runp", f"{tmp}/pod.json")
        ctr = run(s, "create", pod, f"{tmp}/ctr.json", f"{tmp}/pod.json")
        run(s, "start", ctr)
        run(s, "stop", "-t", "0", ctr)
        run(s, "rm", ctr)
        run(s, "stopp", pod)
        run(s, "rmp", pod)
for k in steps:
    line = f"  {k:6} berth {statistics.median(times[('berth', k)]):6.1f} ms"
    if "containerd" in sides:
        line += f"   containerd {statistics.median(times[('containerd', k)]):6.1f} ms"
    print(line)
PY
fi

# Memory with IDLE idle pods on each side.
rss() { for p in "$@"; do awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null; done | awk '{ s += $1 } END { printf "%.1f", s / 1024 }'; }
for side in $SIDES; do
  n=0
  while [ "$n" -lt "$IDLE" ]; do
    sed "s/\"bench\"/\"idle-$n\"/; s/bench-uid/idle-$n/" "$TMP/pod.json" > "$TMP/idle.json"
    c="$CRICTL -r $(endpoint $side) -i $(endpoint $side)"
    pod=$($c runp "$TMP/idle.json")
    ctr=$($c create "$pod" "$TMP/ctr.json" "$TMP/idle.json")
    $c start "$ctr" >/dev/null
    n=$((n + 1))
  done
done
sleep 5
echo "RSS with $IDLE idle pods (a sleeper each):"
echo "  berthd $(rss "$PID") MB + conmons $(rss $(pgrep -f "conmon.*$TMP/exec" || true)) MB"
[ -z "${CPID-}" ] || echo "  containerd $(rss "$CPID") MB + shims $(rss $(pgrep -f "containerd-shim-runc-v2.*" | while read -r p; do grep -q "$TMP" "/proc/$p/cmdline" 2>/dev/null && echo "$p"; done || true)) MB"
