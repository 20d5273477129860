# Sourced by mvnw, bin/berthd and bin/berth: makes JAVA_HOME point at a JDK 25 or stops.
# Order: JAVA_HOME if it is a JDK 25, else Temurin 25 at its Debian path.
# The JDK's release file names its version; reading it costs nothing, unlike starting a JVM.
# Shell built-ins only: bin/berth runs this before every command, and each process it would
# start (sed, a subshell) costs a millisecond or two.
berth_is_jdk25() {
  [ -x "$1/bin/java" ] && [ -r "$1/release" ] || return 1
  while IFS= read -r berth_line; do
    case $berth_line in
      JAVA_VERSION=\"25\"*|JAVA_VERSION=\"25.*) return 0 ;;
      JAVA_VERSION=*) return 1 ;;
    esac
  done < "$1/release"
  return 1
}
berth_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && berth_is_jdk25 "$JAVA_HOME"; then
    return 0
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 \
                   /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-25-openjdk-arm64; do
    if berth_is_jdk25 "$candidate"; then
      JAVA_HOME="$candidate"
      export JAVA_HOME
      return 0
    fi
  done
  echo "Berth needs a JDK 25, and none was found (JAVA_HOME=${JAVA_HOME-unset})." >&2
  echo "Install one (for example Temurin 25: https://adoptium.net) and set JAVA_HOME to it." >&2
  exit 1
}
berth_find_jdk
