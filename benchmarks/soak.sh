#!/bin/sh
# Soak: CLIENTS clients (default 16) each loop create → start → exec → inspect → logs → rm of a
# busybox container against one daemon for MINUTES minutes (default 10; MINUTES=2 for a short
# run), then print the errors, p50/p99 latency per operation, and the daemon's RSS, open fds and
# threads sampled every SAMPLE seconds (default 5), and a verdict.
#
# The clients speak the Docker API over the unix socket with curl (one process per request),
# not through the berth or docker CLI: 16 JVM CLIs at once on a 2-core machine would measure the
# JVM's start-up, not the daemon. Every request has a timeout (MAX_TIME, default 30 s); traffic
# goes only to the daemon's socket, and only to containers this script made.
#
# Verdict: PASS when no request failed and nothing grew after the warm-up: the samples after
# WARMUP seconds (default 60) are split in two halves; the second half's mean RSS must be within
# RSS_TOL % (default 10) of the first half's, and its mean fd count within FD_TOL % (default 10)
# plus CLIENTS (one in-flight connection per client); no container and no conmon may be left.
#
# DAEMON=dockerd runs the same load against dockerd 20.10 started here on temp dirs (RSS and fds
# are then dockerd's own; containerd and the shims are not counted).
# DAEMON=attach runs it against a berthd already running (SoakIT's): ATTACH_SOCKET, ATTACH_PID and
# ATTACH_EXEC_ROOT name it; the script removes its containers but neither starts nor stops it.
# RESULTS=DIR copies the raw samples ("seconds rss_kB fds threads" a line), the live-heap samples
# ("seconds live_kB" a line, berthd only) and the error lines there.
# Live heap (berthd only, needs the JDK's jcmd): every HEAP_EVERY seconds (default 15) after the
# warm-up the sampler forces a full GC in berthd (jcmd GC.class_histogram) and records what stays in use. RSS
# follows the heap's size, which the JVM grows and shrinks as it likes; what survives a full GC
# is what berthd holds, so a leak shows there as steady growth. The verdict also wants the last
# live-heap sample within HEAP_TOL MB (default 4) of the first.
# Needs: root, bin/build done, runc, conmon, busybox-static, curl; dockerd for DAEMON=dockerd.
# Everything it starts is removed on exit, also when interrupted.
set -eu
BERTH_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
MINUTES=${MINUTES:-10}
CLIENTS=${CLIENTS:-16}
SAMPLE=${SAMPLE:-5}
WARMUP=${WARMUP:-60}
RSS_TOL=${RSS_TOL:-10}
FD_TOL=${FD_TOL:-10}
MAX_TIME=${MAX_TIME:-30}
HEAP_EVERY=${HEAP_EVERY:-15}
HEAP_TOL=${HEAP_TOL:-4}
JCMD=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/jcmd
[ -x "$JCMD" ] || JCMD=$(command -v jcmd || true)
DAEMON=${DAEMON:-berthd}
API=v1.41 # dockerd 20.10's version; berthd serves it too, so both daemons get the same requests
TMP=$(mktemp -d /tmp/berth-soak.XXXXXX)
SOCK="$TMP/d.sock"
EXEC="$TMP/exec"
if [ "$DAEMON" = attach ]; then
  SOCK=${ATTACH_SOCKET:?DAEMON=attach needs ATTACH_SOCKET}
  EXEC=${ATTACH_EXEC_ROOT:?DAEMON=attach needs ATTACH_EXEC_ROOT}
fi
CLIENT_PIDS=

api() { # METHOD PATH [curl args...]: prints "HTTP_CODE SECONDS" on the last line, the body before it
  m=$1; p=$2; shift 2
  curl -sS --unix-socket "$SOCK" --max-time "$MAX_TIME" -X "$m" -w '\n%{http_code} %{time_total}' "$@" "http://d/$API$p" 2>/dev/null \
    || printf '\n000 %s' "$MAX_TIME"
}

cleanup() {
  trap - EXIT INT TERM
  touch "$TMP/stop"
  for c in $CLIENT_PIDS ${SAMPLER-}; do
    kill "$c" 2>/dev/null || true
    pkill -P "$c" 2>/dev/null || true # its curl in flight
  done
  for c in $CLIENT_PIDS ${SAMPLER-}; do wait "$c" 2>/dev/null || true; done
  if [ -n "${PID-}" ] && kill -0 "$PID" 2>/dev/null; then
    for id in $(curl -s --unix-socket "$SOCK" --max-time 10 "http://d/$API/containers/json?all=1" 2>/dev/null \
      | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4); do
      curl -s --unix-socket "$SOCK" --max-time 30 -X DELETE "http://d/$API/containers/$id?force=1" >/dev/null 2>&1 || true
    done
    if [ "$DAEMON" != attach ]; then
      kill "$PID" 2>/dev/null || true
      wait "$PID" 2>/dev/null || true
    fi
  fi
  # If the daemon died first: its containers and their conmons, found by this run's paths only.
  if [ "$DAEMON" != attach ] && [ -d "$EXEC/runtime/runc" ]; then
    for id in $(runc --root "$EXEC/runtime/runc" list -q 2>/dev/null); do
      runc --root "$EXEC/runtime/runc" delete -f "$id" >/dev/null 2>&1 || true
    done
  fi
  if [ "$DAEMON" != attach ]; then
    for c in $(ps -eo pid=,args= | awk -v t="$TMP" 'index($0, t) && $2 ~ /conmon$/ {print $1}'); do kill "$c" 2>/dev/null || true; done
  fi
  for m in $(findmnt -rn -o TARGET | grep "^$TMP" | sort -r); do umount -l "$m" || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$TMP/rootfs/bin" "$TMP/rootfs/etc" "$TMP/rootfs/tmp" "$TMP/out"
cp /bin/busybox "$TMP/rootfs/bin/busybox"
for a in $("$TMP/rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$TMP/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$TMP/rootfs/etc/passwd"
echo 'root:x:0:' > "$TMP/rootfs/etc/group"
tar -C "$TMP/rootfs" -cf "$TMP/busybox.tar" .

if [ "$DAEMON" = attach ]; then
  PID=${ATTACH_PID:?DAEMON=attach needs ATTACH_PID}
elif [ "$DAEMON" = dockerd ]; then
  /usr/sbin/dockerd --data-root "$TMP/data" --exec-root "$TMP/exec" -H "unix://$SOCK" --pidfile "$TMP/dockerd.pid" \
    --bridge=none --iptables=false --ip-masq=false > "$TMP/daemon.log" 2>&1 &
else
  echo '{}' > "$TMP/daemon.json"
  "$BERTH_HOME/bin/berthd" --data-root "$TMP/data" --exec-root "$TMP/exec" -H "unix://$SOCK" \
    --config-file "$TMP/daemon.json" > "$TMP/daemon.log" 2>&1 &
fi
[ "$DAEMON" = attach ] || PID=$! # bin/berthd execs java, so this is the daemon itself
i=0
until curl -sf --unix-socket "$SOCK" --max-time 2 http://d/_ping >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 600 ] || ! kill -0 "$PID" 2>/dev/null; then echo "$DAEMON did not start:" >&2; cat "$TMP/daemon.log" >&2; exit 1; fi
  sleep 0.1
done
r=$(api POST '/images/create?fromSrc=-&repo=busybox&tag=soak' -H 'Content-Type: application/x-tar' --data-binary @"$TMP/busybox.tar")
[ "$(echo "$r" | tail -n1 | cut -d' ' -f1)" = 200 ] || { echo "import failed: $r" >&2; exit 1; }

CREATE_BODY='{"Image":"busybox:soak","Cmd":["sh","-c","echo soak-hello; exec sleep 600"],"HostConfig":{"NetworkMode":"none"}}'
EXEC_BODY='{"Cmd":["echo","soak-exec"],"AttachStdout":true,"AttachStderr":true}'

# client N: appends "op http_code seconds" per request to out/N; failures also to out/N.err
client() {
  out="$TMP/out/$1"
  record() { # OP EXPECTED_CODE RESPONSE [REQUIRED_TEXT]
    last=$(printf '%s' "$3" | tail -n1)
    echo "$1 $last" >> "$out"
    code=${last% *}
    if [ "$code" != "$2" ]; then
      echo "$1: HTTP $code: $(printf '%s' "$3" | head -c 300 | tr '\n' ' ')" >> "$out.err"; return 1
    fi
    if [ -n "${4-}" ] && ! printf '%s' "$3" | grep -q "$4"; then
      echo "$1: no '$4' in the answer: $(printf '%s' "$3" | head -c 300 | tr -c '[:print:]' ' ')" >> "$out.err"; return 1
    fi
  }
  while [ "$(date +%s)" -lt "$END" ] && [ ! -e "$TMP/stop" ]; do
    r=$(api POST /containers/create -H 'Content-Type: application/json' -d "$CREATE_BODY")
    record create 201 "$r" || continue
    id=$(printf '%s' "$r" | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4)
    r=$(api POST "/containers/$id/start")
    if record start 204 "$r"; then
      r=$(api POST "/containers/$id/exec" -H 'Content-Type: application/json' -d "$EXEC_BODY")
      if record exec-create 201 "$r"; then
        eid=$(printf '%s' "$r" | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4)
        r=$(api POST "/exec/$eid/start" -H 'Content-Type: application/json' -d '{"Detach":false,"Tty":false}')
        record exec-start 200 "$r" soak-exec || true
      fi
      r=$(api GET "/containers/$id/json")
      record inspect 200 "$r" '"Running":true' || true
      # the line may still be on its way (sh not yet scheduled, or conmon not yet written: dockerd
      # has the same race), so logs is asked again for up to 5 s before its absence is an error
      give_up=$(($(date +%s) + 5))
      while r=$(api GET "/containers/$id/logs?stdout=1&stderr=1"); \
          ! printf '%s' "$r" | grep -q soak-hello && [ "$(date +%s)" -lt "$give_up" ] \
          && [ "$(printf '%s' "$r" | tail -n1 | cut -d' ' -f1)" = 200 ]; do
        echo "logs $(printf '%s' "$r" | tail -n1)" >> "$out" # an answer without the line yet
        sleep 0.2
      done
      record logs 200 "$r" soak-hello || true
    fi
    r=$(api DELETE "/containers/$id?force=1")
    record rm 204 "$r" || true
  done
}

# the heap still in use after a full GC, in kB: GC.class_histogram collects and counts in one
# safepoint, so nothing allocated after the collection is counted (its "Total" line: bytes)
live_heap() {
  "$JCMD" "$PID" GC.class_histogram 2>/dev/null | awk '$1 == "Total" { print int($3 / 1024); found = 1 } END { if (!found) exit 1 }'
}

# sampler: "seconds_since_start rss_kB fds threads" every SAMPLE seconds; after the warm-up,
# "seconds_since_start live_kB" every HEAP_EVERY seconds (berthd only)
sampler() {
  next_heap=$WARMUP
  while [ ! -e "$TMP/stop" ]; do
    t=$(($(date +%s) - START))
    if [ "$DAEMON" != dockerd ] && [ -n "$JCMD" ] && [ "$t" -ge "$next_heap" ] && [ "$(date +%s)" -lt "$END" ]; then
      live=$(live_heap) && echo "$t $live" >> "$TMP/heap"
      next_heap=$((t + HEAP_EVERY))
    fi
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0)
    thr=$(awk '/^Threads/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0)
    fds=$(ls "/proc/$PID/fd" 2>/dev/null | wc -l)
    echo "$t $rss $fds $thr" >> "$TMP/samples"
    sleep "$SAMPLE"
  done
}

START=$(date +%s)
END=$((START + MINUTES * 60))
echo "soak: $CLIENTS clients against $DAEMON for $MINUTES min from $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
sampler & SAMPLER=$!
n=1
while [ "$n" -le "$CLIENTS" ]; do
  client "$n" & CLIENT_PIDS="$CLIENT_PIDS $!"
  n=$((n + 1))
done
for c in $CLIENT_PIDS; do wait "$c"; done
CLIENT_PIDS=
touch "$TMP/stop"
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"

left=$(curl -s --unix-socket "$SOCK" --max-time 10 "http://d/$API/containers/json?all=1" | grep -o '"Id":"' | wc -l)
conmons=$(ps -eo pid=,args= | awk -v t="$EXEC" 'index($0, t) && $2 ~ /conmon$/' | wc -l)

cat "$TMP"/out/[0-9]* > "$TMP/all"
errors=$(cat "$TMP"/out/*.err 2>/dev/null | wc -l)
if [ -n "${RESULTS-}" ]; then
  mkdir -p "$RESULTS"
  cp "$TMP/samples" "$RESULTS/samples"
  if [ -e "$TMP/heap" ]; then cp "$TMP/heap" "$RESULTS/heap"; else : > "$RESULTS/heap"; fi
  cat "$TMP"/out/*.err > "$RESULTS/errors" 2>/dev/null || : > "$RESULTS/errors"
fi
cycles=$(grep -c '^rm ' "$TMP/all" || true)
echo "$cycles cycles, $(wc -l < "$TMP/all") requests, $errors errors"
[ "$errors" -eq 0 ] || { echo "first errors:"; cat "$TMP"/out/*.err | head -n 10 | sed 's/^/  /'; }
echo "latency (ms):"
printf '  %-11s %6s %8s %8s %8s\n' op count p50 p99 max
for op in create start exec-create exec-start inspect logs rm; do
  grep "^$op " "$TMP/all" | awk '{print $3 * 1000}' | sort -n | awk -v op="$op" '
    { v[NR] = $1 }
    END { if (NR == 0) exit
          i50 = int(NR * 0.50); if (i50 < NR * 0.50) i50++; i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++
          printf "  %-11s %6d %8.1f %8.1f %8.1f\n", op, NR, v[i50], v[i99], v[NR] }'
done

echo "$DAEMON over time (s: RSS MB, fds, threads):"
awk '{ printf "%s%s: %.0f, %d, %d", (NR % 6 == 1 ? "  " : "; "), $1, $2 / 1024, $3, $4; if (NR % 6 == 0) print "" } END { if (NR % 6) print "" }' "$TMP/samples"

verdict=$(awk -v warm="$WARMUP" -v rtol="$RSS_TOL" -v ftol="$FD_TOL" -v clients="$CLIENTS" '
  BEGIN { n = 0 }
  $1 >= warm { t[n] = $1; r[n] = $2; f[n] = $3; n++ }
  END {
    if (n < 4) { print "UNKNOWN too few samples after the warm-up (" n "): run longer"; exit }
    h = int(n / 2)
    for (i = 0; i < h; i++) { r1 += r[i]; f1 += f[i] }
    for (i = h; i < n; i++) { r2 += r[i]; f2 += f[i] }
    r1 /= h; f1 /= h; r2 /= (n - h); f2 /= (n - h)
    ok = (r2 <= r1 * (1 + rtol / 100)) && (f2 <= f1 * (1 + ftol / 100) + clients)
    printf "%s after %d s of warm-up: mean RSS %.1f MB (%d-%d s) -> %.1f MB (%d-%d s), %+.1f%% (tolerance %d%%); mean fds %.1f -> %.1f (tolerance %d%% + %d)\n",
      ok ? "FLAT" : "GROWTH", warm, r1 / 1024, t[0], t[h - 1], r2 / 1024, t[h], t[n - 1], (r2 - r1) * 100 / r1, rtol, f1, f2, ftol, clients
  }' "$TMP/samples")
echo "$verdict"
heap_verdict=FLAT
if [ -s "$TMP/heap" ]; then
  echo "$DAEMON's live heap after a full GC (s: MB): $(awk '{ printf "%s%s: %.1f", (NR > 1 ? "; " : ""), $1, $2 / 1024 }' "$TMP/heap")"
  heap_verdict=$(awk -v tol="$HEAP_TOL" 'NR == 1 { first = $2; t0 = $1 } { last = $2; t1 = $1 }
    END { if (NR < 2) { print "UNKNOWN one live-heap sample: run longer"; exit }
          printf "%s live heap %.1f MB (%d s) -> %.1f MB (%d s), %+.1f MB (tolerance %d MB)\n", (last - first <= tol * 1024 ? "FLAT" : "GROWTH"),
            first / 1024, t0, last / 1024, t1, (last - first) / 1024, tol }' "$TMP/heap")
  echo "$heap_verdict"
fi
echo "left behind: $left containers, $conmons conmon processes"
if [ "$errors" -eq 0 ] && [ "$left" -eq 0 ] && [ "$conmons" -eq 0 ] && [ "${verdict%% *}" = FLAT ] && [ "${heap_verdict%% *}" = FLAT ]; then
  echo "verdict: PASS"
else
  echo "verdict: FAIL"; exit 1
fi
