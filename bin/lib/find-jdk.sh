# Sourced by mvnw, bin/berthd and bin/berth: makes JAVA_HOME point at a JDK 25 or stops.
# Order: JAVA_HOME if it is a JDK 25, else Temurin 25 at its Debian path.
# The JDK's release file names its version; reading it costs nothing, unlike starting a JVM.
berth_java_feature() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}
berth_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/java" ] \
     && [ "$(berth_java_feature "$JAVA_HOME")" = "25" ]; then
    return 0
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 \
                   /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-25-openjdk-arm64; do
    if [ -x "$candidate/bin/java" ] && [ "$(berth_java_feature "$candidate")" = "25" ]; then
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
