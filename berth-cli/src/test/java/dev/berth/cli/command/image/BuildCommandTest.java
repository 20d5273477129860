package dev.berth.cli.command.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.cli.build.ContextTarTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** berth build's flags become docker's query, and its context the tar docker would send. */
class BuildCommandTest {
  @TempDir Path dir;

  private static BuildCommand parse(String... args) {
    BuildCommand c = new BuildCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  private static List<String> query(String q) {
    List<String> out = new ArrayList<>();
    for (String kv : q.substring(1).split("&")) {
      out.add(URLDecoder.decode(kv, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static byte[] body(BuildCommand.Upload u) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u.body().writeTo(out);
    return out.toByteArray();
  }

  @Test
  void dockersFlagsBecomeDockersQuery() throws IOException {
    Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
    BuildCommand c = parse("-t", "a:1", "-t", "b", "--build-arg", "X=1", "--build-arg", "BERTH_SURELY_UNSET_VAR",
        "--label", "l=v", "--target", "t", "--no-cache", "--pull", "--network", "host", "--add-host", "h:1.2.3.4",
        "-q", "--rm=false", "--force-rm", "--shm-size", "64m", "-m", "100m", "--cpu-shares", "512",
        "--cpuset-cpus", "0", "--ulimit", "nofile=100:200", "--cache-from", "c:1", "--platform", "linux/amd64",
        "--isolation", "vm", dir.toString());
    assertThat(query(c.prepare(InputStream.nullInputStream()).query())).containsExactly("t=a:1", "t=b",
        "dockerfile=Dockerfile", "buildargs={\"X\":\"1\",\"BERTH_SURELY_UNSET_VAR\":null}", "labels={\"l\":\"v\"}",
        "target=t", "nocache=1", "pull=1", "q=1", "rm=0", "forcerm=1", "networkmode=host", "extrahosts=h:1.2.3.4",
        "shmsize=67108864", "memory=104857600", "cpushares=512", "cpusetcpus=0",
        "ulimits=[{\"Name\":\"nofile\",\"Hard\":200,\"Soft\":100}]", "cachefrom=[\"c:1\"]", "platform=linux/amd64",
        "isolation=vm", "version=1");
  }

  @Test
  void aDockerfileOutsideTheContextTravelsUnderARandomNameThatTheDockerignoreNames() throws IOException {
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(ctx.resolve("a.txt"), "a");
    Path elsewhere = Files.writeString(dir.resolve("Dockerfile.other"), "FROM scratch\nCOPY a.txt /\n");
    BuildCommand.Upload u = parse("-f", elsewhere.toString(), ctx.toString()).prepare(InputStream.nullInputStream());
    String name = query(u.query()).stream().filter(q -> q.startsWith("dockerfile=")).findFirst().orElseThrow()
        .substring("dockerfile=".length());
    assertThat(name).matches("\\.dockerfile\\.[0-9a-f]{20}");
    Map<String, String> entries = ContextTarTest.entries(body(u));
    assertThat(entries).containsEntry("a.txt", "a").containsEntry(name, "FROM scratch\nCOPY a.txt /\n")
        .containsEntry(".dockerignore", ".dockerignore\n" + name + "\n");
  }

  @Test
  void aDockerfileInsideTheContextIsNamedByItsPathThere() throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/Dockerfile.dev"), "FROM scratch\n");
    BuildCommand.Upload u = parse("-f", dir.resolve("sub/Dockerfile.dev").toString(), dir.toString())
        .prepare(InputStream.nullInputStream());
    assertThat(query(u.query())).contains("dockerfile=sub/Dockerfile.dev");
  }

  @Test
  void aDockerfileOnStdinIsAContextOfItsOwn() throws IOException {
    BuildCommand.Upload u = parse("-").prepare(new ByteArrayInputStream("FROM scratch\n".getBytes()));
    assertThat(ContextTarTest.entries(body(u))).containsExactly(Map.entry("Dockerfile", "FROM scratch\n"));
  }

  @Test
  void aTarOnStdinIsSentAsItIs() throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write("not really a tar, but gzip".getBytes());
    }
    byte[] sent = body(parse("-").prepare(new ByteArrayInputStream(gz.toByteArray())));
    assertThat(sent).isEqualTo(gz.toByteArray());
  }

  @Test
  void mistakesAreNamed() {
    assertThatThrownBy(() -> parse("-f", "-", "-").prepare(InputStream.nullInputStream()))
        .hasMessageContaining("can't use stdin for both");
    assertThatThrownBy(() -> parse(dir.resolve("missing").toString()).prepare(InputStream.nullInputStream()))
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> parse(dir.toString()).prepare(InputStream.nullInputStream()))
        .hasMessageContaining("Cannot locate specified Dockerfile: Dockerfile");
    assertThatThrownBy(() -> parse("https://github.com/x/y.git").prepare(InputStream.nullInputStream()))
        .hasMessageContaining("remote contexts");
  }
}
