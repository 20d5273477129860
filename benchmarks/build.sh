#!/bin/sh
# Build benchmark (issue 13): a Dockerfile with COPY of FILES small files, five RUN steps and
# metadata, built cold (--no-cache), rebuilt with nothing changed, and rebuilt after one source
# file changed; plus a two-stage build whose stages are independent against the sum of its
# stages built alone. Berth (berthd, through the docker CLI with DOCKER_BUILDKIT=0) vs dockerd
# 20.10's classic builder and Debian's buildah (`bud --layers`), in the same run, ROUNDS rounds
# interleaved; medians and ratios printed. Every engine builds with --network none (the dockerd here
# runs without a bridge, so its RUN steps get no network either).
# Warm-up, the same for every engine: after the base image is imported, WARMUP unmeasured
# builds of the context (a cold one, then unchanged rebuilds) before the first measured round.
# berthd is a JVM (bin/berthd uses the AOT cache bin/build makes, decision 2400): without a
# warm-up its first requests also pay for the JIT; dockerd (Go) and buildah (a new process per
# build) have no JIT, for them it only fills caches. WARMUP, whether berthd had its AOT cache and
# the load (`uptime`) before and after are printed with the result: the machine may be shared.
# Needs: root, bin/build done (a berthd with POST /build), the docker CLI, dockerd, runc; buildah
# optional (run with runc: Debian's crun refuses hybrid cgroups).
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$BERTH_HOME/benchmarks/lib/bench.sh"
ROUNDS=${ROUNDS:-3}
FILES=${FILES:-1000}
WARMUP=${WARMUP:-3}
DOCKER=${DOCKER:-$(command -v docker || true)}
[ -n "$DOCKER" ] || { echo "needs the docker CLI (DOCKER=/path/to/docker)" >&2; exit 1; }
[ -x /usr/sbin/dockerd ] || { echo "needs dockerd (apt-get install docker.io)" >&2; exit 1; }
BUILDAH=$(command -v buildah || true)
[ -f "$BERTH_HOME/berth-daemon/target/berth-daemon.jar" ] || "$BERTH_HOME/bin/build"

TMP=$(mktemp -d /tmp/berth-bench-build.XXXXXX)
cleanup() {
  [ -z "${PID-}" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  [ -z "${DPID-}" ] || { kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null || true; }
  [ -z "$BUILDAH" ] || buildah $BA rm --all >/dev/null 2>&1 || true
  for m in $(findmnt -rn -o TARGET | grep "^$TMP" | sort -r); do umount -l "$m" || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
export DOCKER_BUILDKIT=0

# The base image: busybox-static and its applets, imported into every engine.
busybox_rootfs

# The context: FILES small files, five RUN steps, metadata.
mkdir -p "$TMP/ctx/src"
i=0
while [ "$i" -lt "$FILES" ]; do echo "file $i $(date +%N)" > "$TMP/ctx/src/f$i.txt"; i=$((i + 1)); done
cat > "$TMP/ctx/Dockerfile" <<'EOF'
FROM busybox:bench
LABEL org.example.app=bench
ENV MODE=prod
WORKDIR /app
COPY src/ /app/src/
RUN ls /app/src | wc -l > /app/count
RUN cat /app/src/f1.txt /app/src/f2.txt > /app/two
RUN mkdir -p /app/out && cp /app/src/f3.txt /app/out/
RUN echo "$MODE" > /app/mode
RUN sha1sum /app/src/f4.txt > /app/sum
EXPOSE 8080
CMD ["cat", "/app/count"]
EOF
# Two independent stages, each a wait (a download, say) and some CPU, and a final stage taking from both.
mkdir -p "$TMP/two"
cat > "$TMP/two/Dockerfile" <<'EOF'
FROM busybox:bench AS a
RUN sleep 2; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo a > /a
FROM busybox:bench AS b
RUN sleep 2; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo b > /b
FROM busybox:bench
COPY --from=a /a /a
COPY --from=b /b /b
EOF

echo '{}' > "$TMP/daemon.json"
"$BERTH_HOME/bin/berthd" --data-root "$TMP/data" --exec-root "$TMP/exec" -H "unix://$TMP/b.sock" \
  --config-file "$TMP/daemon.json" > "$TMP/berthd.log" 2>&1 &
PID=$!
/usr/sbin/dockerd --data-root "$TMP/ddata" --exec-root "$TMP/dexec" -H "unix://$TMP/d.sock" \
  --pidfile "$TMP/d.pid" --bridge=none --iptables=false --ip-masq=false > "$TMP/dockerd.log" 2>&1 &
DPID=$!
i=0
until grep -q ready "$TMP/berthd.log" 2>/dev/null && "$DOCKER" -H "unix://$TMP/d.sock" version >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -lt 600 ] || { cat "$TMP/berthd.log" "$TMP/dockerd.log"; exit 1; }; sleep 0.1
done
BH="unix://$TMP/b.sock"
DH="unix://$TMP/d.sock"
"$DOCKER" -H "$BH" import "$TMP/busybox.tar" busybox:bench >/dev/null
"$DOCKER" -H "$DH" import "$TMP/busybox.tar" busybox:bench >/dev/null
BA="--root $TMP/buildah --runroot $TMP/buildah-run --storage-driver overlay"
if [ -n "$BUILDAH" ]; then
  buildah $BA from --name base-import scratch >/dev/null
  buildah $BA add base-import "$TMP/busybox.tar" / >/dev/null
  buildah $BA commit -q base-import busybox:bench >/dev/null
  buildah $BA rm base-import >/dev/null
fi

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# time_build ENGINE CONTEXT EXTRA-ARGS... → milliseconds of one build
time_build() {
  engine=$1; ctx=$2; shift 2
  t0=$(ms)
  case $engine in
    berth) "$DOCKER" -H "$BH" build -q --network none -t bench:latest "$@" "$ctx" >/dev/null ;;
    dockerd) "$DOCKER" -H "$DH" build -q --network none -t bench:latest "$@" "$ctx" >/dev/null ;;
    buildah) buildah $BA bud -q --layers --isolation oci --network none --runtime "$(command -v runc)" -t bench:latest "$@" "$ctx" >/dev/null 2>&1 ;;
  esac
  echo $(( $(ms) - t0 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }

ENGINES="berth dockerd"
[ -z "$BUILDAH" ] || ENGINES="$ENGINES buildah"
LOAD_BEFORE=$(uptime | sed 's/.*load average: //')
for e in $ENGINES; do
  w=0
  while [ "$w" -lt "$WARMUP" ]; do
    if [ "$w" -eq 0 ]; then time_build "$e" "$TMP/ctx" --no-cache >/dev/null; else time_build "$e" "$TMP/ctx" >/dev/null; fi
    w=$((w + 1))
  done
done
for e in $ENGINES; do : > "$TMP/$e.cold"; : > "$TMP/$e.same"; : > "$TMP/$e.one"; : > "$TMP/$e.two"; : > "$TMP/$e.stages"; done
r=0
while [ "$r" -lt "$ROUNDS" ]; do
  r=$((r + 1))
  for e in $ENGINES; do
    time_build "$e" "$TMP/ctx" --no-cache >> "$TMP/$e.cold"
    time_build "$e" "$TMP/ctx" >> "$TMP/$e.same"
  done
  echo "changed $r $(date +%N)" > "$TMP/ctx/src/f500.txt"
  for e in $ENGINES; do
    time_build "$e" "$TMP/ctx" >> "$TMP/$e.one"
  done
  for e in $ENGINES; do
    a=$(time_build "$e" "$TMP/two" --no-cache --target a)
    b=$(time_build "$e" "$TMP/two" --no-cache --target b)
    echo $((a + b)) >> "$TMP/$e.stages"
    time_build "$e" "$TMP/two" --no-cache >> "$TMP/$e.two"
  done
done

AOT_CACHE=no
! tr '\0' ' ' < "/proc/$PID/cmdline" | grep -q -- '-XX:AOTCache=' || AOT_CACHE=yes
echo "ROUNDS=$ROUNDS FILES=$FILES WARMUP=$WARMUP (unmeasured builds per engine before round 1); berthd AOT cache: $AOT_CACHE;" \
  "load average before: $LOAD_BEFORE, after: $(uptime | sed 's/.*load average: //')"
printf '%-8s %10s %10s %10s %12s %12s\n' engine cold_ms same_ms one_ms two_stage_ms stages_sum_ms
for e in $ENGINES; do
  printf '%-8s %10s %10s %10s %12s %12s\n' "$e" "$(median < "$TMP/$e.cold")" "$(median < "$TMP/$e.same")" \
    "$(median < "$TMP/$e.one")" "$(median < "$TMP/$e.two")" "$(median < "$TMP/$e.stages")"
done
best() { # the faster peer's median for a measure
  for e in $ENGINES; do [ "$e" = berth ] || median < "$TMP/$e.$1"; done | sort -n | head -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "berth / faster peer: cold $(ratio "$(median < "$TMP/berth.cold")" "$(best cold)") (goal <= 0.8)," \
  "unchanged $(ratio "$(median < "$TMP/berth.same")" "$(best same)") (goal <= 0.5)," \
  "one file changed $(ratio "$(median < "$TMP/berth.one")" "$(best one)")"
echo "berth two-stage / sum of its stages: $(ratio "$(median < "$TMP/berth.two")" "$(median < "$TMP/berth.stages")") (goal <= 0.7)"
