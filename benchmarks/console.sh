#!/bin/sh
# The web console's performance goals (issue 17), measured by ConsoleIT's two performance tests
# with a real berthd and headless Chromium: the first page's bytes and time to a usable table,
# and berthd's CPU with 50 running containers whose live stats the page shows (30 s idle, then
# 30 s with the page open). The numbers are printed on stdout; run on a quiet machine.
set -eu
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
./mvnw -B verify -Pintegration -pl berth-it -am -Dberth.console.perf=true \
  -Dit.test='ConsoleIT#theFirstPageIsSmallAndQuick+liveStatsForFiftyContainersCostBerthdLittle' \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  | grep -E 'console first page|berthd CPU with|Tests run|FAIL'
