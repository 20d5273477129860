package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A real server through Testcontainers: PostgreSQL 15 from Debian's packages (a debootstrap
 * rootfs, see checks/postgres-image.sh) imported into Berth, started as a GenericContainer with a
 * mapped port and queried over JDBC. Building the rootfs downloads ~60 MB and takes minutes, so
 * this is a check run by hand, not in CI:
 * <pre>
 *   debootstrap --variant=minbase --include=postgresql-15 bookworm /tmp/pg-rootfs http://deb.debian.org/debian
 *   ./mvnw -B verify -Pintegration -pl berth-it -Dit.test=PostgresCheckIT -Dberth.postgresRootfs=/tmp/pg-rootfs
 * </pre>
 * It uses the Testcontainers socket (DOCKER_HOST, set by the pom) like TestcontainersIT.
 */
@Tag("integration")
@EnabledIfSystemProperty(named = "berth.postgresRootfs", matches = "/.+")
class PostgresCheckIT {
  @TempDir
  static Path dir;

  @Test
  void postgresFromDebianAnsweredOverJdbcThroughTheMappedPort() throws Exception {
    Path socket = Path.of(System.getenv("DOCKER_HOST").substring("unix://".length()));
    Files.createDirectories(socket.getParent());
    try (BerthdProcess daemon = BerthdProcess.start(dir.resolve("data"), dir.resolve("exec"), socket, dir.resolve("log"))) {
      ProcessResult imported = Commands.run(List.of(Repo.root().resolve("checks/postgres-image.sh").toString(),
          daemon.host()), Map.of("PG_ROOTFS", System.getProperty("berth.postgresRootfs")), null, Duration.ofMinutes(10));
      assertThat(imported.exitCode()).as(imported.toString()).isZero();

      try (GenericContainer<?> pg = new GenericContainer<>(DockerImageName.parse("berth-check/postgres:15"))
          .withEnv("POSTGRES_USER", "app").withEnv("POSTGRES_PASSWORD", "secret").withEnv("POSTGRES_DB", "appdb")
          .withExposedPorts(5432)
          .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\n", 1)
              .withStartupTimeout(Duration.ofMinutes(2)))) {
        pg.start();
        String url = "jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(5432) + "/appdb";
        try (Connection c = DriverManager.getConnection(url, "app", "secret"); Statement st = c.createStatement()) {
          st.execute("CREATE TABLE berth (id int PRIMARY KEY, what text)");
          st.execute("INSERT INTO berth VALUES (1, 'containers'), (2, 'virtual machines')");
          try (ResultSet rs = st.executeQuery("SELECT current_user, count(*), version() FROM berth GROUP BY 1, 3")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("app");
            assertThat(rs.getInt(2)).isEqualTo(2);
            assertThat(rs.getString(3)).startsWith("PostgreSQL 15");
            System.out.println("PostgresCheckIT: " + rs.getString(3) + " via " + url);
          }
        }
      }
    }
  }
}
