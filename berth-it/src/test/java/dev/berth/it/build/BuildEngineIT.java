package dev.berth.it.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.build.BuildException;
import dev.berth.engine.build.BuildRequest;
import dev.berth.engine.image.ImageConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder through the engine: Docker's output lines, configs, files, cache, failures that leave nothing. */
@Tag("integration")
class BuildEngineIT {
  @TempDir
  static Path dir;

  static EngineHarness h;

  @BeforeAll
  static void start() {
    h = EngineHarness.start(dir);
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void runCopyAndConfigStepsGiveDockersLinesConfigAndFiles() throws Exception {
    Path ctx = h.context("basic",
        "Dockerfile", "FROM " + h.busybox + "\n"
            + "ENV GREETING=hello\n"
            + "WORKDIR /app\n"
            + "COPY hello.txt .\n"
            + "RUN echo \"$GREETING world\" > out.txt && cat out.txt\n"
            + "EXPOSE 8080\n"
            + "CMD [\"cat\", \"/app/out.txt\"]\n",
        "hello.txt", "hi there\n");

    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withTags(List.of("built:basic"))).ok();

    assertThat(b.output()).startsWith("Step 1/7 : FROM " + h.busybox + "\n ---> ");
    assertThat(b.output()).contains("Step 5/7 : RUN echo \"$GREETING world\" > out.txt && cat out.txt\n ---> Running in ");
    assertThat(b.output()).contains("hello world\n");
    assertThat(b.output()).containsPattern("Removing intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n");
    assertThat(b.output()).endsWith("Successfully built " + b.imageId().substring(7, 19)
        + "\nSuccessfully tagged built:basic\n");
    ImageConfig.RunConfig c = h.image("built:basic").config().config();
    assertThat(c.env()).contains("GREETING=hello");
    assertThat(c.workingDir()).isEqualTo("/app");
    assertThat(c.cmd()).containsExactly("cat", "/app/out.txt");
    assertThat(c.exposedPorts()).containsOnlyKeys("8080/tcp");
    assertThat(h.read(b.imageId(), "/app/out.txt")).isEqualTo("hello world\n");
    assertThat(h.read(b.imageId(), "/app/hello.txt")).isEqualTo("hi there\n");
    assertThat(h.stat(b.imageId(), "/app/hello.txt")).isEqualTo("644 0:0");
    assertThat(h.containerCount()).isZero();
  }

  @Test
  void anUnchangedRebuildIsServedFromTheCacheWithoutContainers() throws Exception {
    Path ctx = h.context("cache",
        "Dockerfile", "FROM " + h.busybox + "\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n",
        "a.txt", "one\n");
    String first = h.build(BuildRequest.of(ctx)).ok().imageId();
    java.nio.file.Files.setLastModifiedTime(ctx.resolve("a.txt"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000)); // mtimes do not count

    EngineHarness.Built again = h.build(BuildRequest.of(ctx)).ok();

    assertThat(again.imageId()).isEqualTo(first);
    assertThat(again.output()).contains(" ---> Using cache\n").doesNotContain("Running in");
    java.nio.file.Files.writeString(ctx.resolve("a.txt"), "two\n");
    EngineHarness.Built changed = h.build(BuildRequest.of(ctx)).ok();
    assertThat(changed.imageId()).isNotEqualTo(first);
    assertThat(h.read(changed.imageId(), "/b.txt")).isEqualTo("two\n");
    EngineHarness.Built noCache = h.build(BuildRequest.of(ctx).withNoCache(true)).ok();
    assertThat(noCache.output()).doesNotContain("Using cache").contains("Running in");
  }

  @Test
  void aFailingRunReportsItsCodeAndLeavesNothing() throws Exception {
    Path ctx = h.context("fail", "Dockerfile", "FROM " + h.busybox + "\nRUN echo about to fail && exit 3\n");
    int images = h.imageCount();

    EngineHarness.Built b = h.build(BuildRequest.of(ctx));

    assertThat(b.error()).isInstanceOf(BuildException.class)
        .hasMessage("The command '/bin/sh -c echo about to fail && exit 3' returned a non-zero code: 3");
    assertThat(((BuildException) b.error()).code()).isEqualTo(3);
    assertThat(b.output()).contains("about to fail\n");
    assertThat(h.containerCount()).isZero();
    assertThat(h.imageCount()).isEqualTo(images);
    assertThat(h.mounts()).isEmpty();
  }

  @Test
  void aMissingCopySourceUsesDockersWords() throws Exception {
    Path ctx = h.context("missing", "Dockerfile", "FROM " + h.busybox + "\nCOPY nothere.txt /x\n");

    EngineHarness.Built b = h.build(BuildRequest.of(ctx));

    assertThat(b.error()).hasMessage("COPY failed: file not found in build context or excluded by .dockerignore: "
        + "stat nothere.txt: file does not exist");
    assertThat(h.containerCount()).isZero();
    assertThat(h.mounts()).isEmpty();
  }

  @Test
  void aBadChownUserIsAClearErrorAndLeavesNothing() throws Exception {
    Path ctx = h.context("chown", "Dockerfile", "FROM " + h.busybox + "\nCOPY --chown=nosuch f /f\n", "f", "x");
    int images = h.imageCount();

    EngineHarness.Built b = h.build(BuildRequest.of(ctx));

    assertThat(b.error()).hasMessageContaining("unable to convert uid/gid chown string to host mapping: "
        + "can't find uid for user nosuch");
    assertThat(h.containerCount()).isZero();
    assertThat(h.imageCount()).isEqualTo(images);
    assertThat(h.mounts()).isEmpty();
  }

  @Test
  void anUnpullableFromFailsClearly() throws Exception {
    Path ctx = h.context("nofrom", "Dockerfile", "FROM " + h.registry.host() + "/test/nosuch:1\nRUN true\n");

    EngineHarness.Built b = h.build(BuildRequest.of(ctx));

    assertThat(b.error()).isInstanceOf(BuildException.class).hasMessageContaining("nosuch");
    assertThat(h.containerCount()).isZero();
  }

  @Test
  void onlyTheStagesTheTargetNeedsRunAndCopyFromReadsAStage() throws Exception {
    Path ctx = h.context("stages", "Dockerfile", "FROM " + h.busybox + " AS base\nRUN echo base > /base.txt\n"
        + "FROM " + h.busybox + " AS unused\nRUN echo never-runs\n"
        + "FROM base AS app\nCOPY --from=base /base.txt /copied.txt\nRUN cat /copied.txt\n"
        + "FROM " + h.busybox + "\nRUN echo last\n");

    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withTarget("app")).ok();

    assertThat(b.output()).doesNotContain("never-runs").doesNotContain("echo last");
    assertThat(h.read(b.imageId(), "/copied.txt")).isEqualTo("base\n");
    assertThat(h.read(b.imageId(), "/base.txt")).isEqualTo("base\n");
  }

  @Test
  void buildArgsReachRunButNotTheImageConfig() throws Exception {
    Path ctx = h.context("args", "Dockerfile", "ARG BASE=" + h.busybox + "\nFROM ${BASE}\nARG WHO=nobody\n"
        + "RUN echo \"hi $WHO\" > /who.txt\n");

    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withBuildArgs(Map.of("WHO", "berth", "UNUSED", "x"))).ok();

    assertThat(h.read(b.imageId(), "/who.txt")).isEqualTo("hi berth\n");
    assertThat(h.image(b.imageId()).config().config().env()).noneMatch(e -> e.startsWith("WHO="));
    assertThat(b.output()).contains("[Warning] One or more build-args [UNUSED] were not consumed\n");
  }

  @Test
  void addHostAndShmSizeReachTheRunSteps() throws Exception {
    Path ctx = h.context("hostsettings", "Dockerfile", "FROM " + h.busybox + "\n"
        + "RUN grep registry.example /etc/hosts > /hosts.txt && df -k /dev/shm | tail -n 1 > /shm.txt\n");

    EngineHarness.Built b = h.build(BuildRequest.of(ctx)
        .withHostSettings(List.of("registry.example:10.1.2.3"), 16L * 1024 * 1024)).ok();

    assertThat(h.read(b.imageId(), "/hosts.txt")).startsWith("10.1.2.3").contains("registry.example");
    assertThat(h.read(b.imageId(), "/shm.txt").split("\\s+")[1]).isEqualTo("16384");
  }

  @Test
  void theCacheSurvivesARestartAndAnImagePruneButNotABuilderPrune() throws Exception {
    Path ctx = h.context("restart", "Dockerfile", "FROM " + h.busybox + "\nRUN echo cached > /c.txt\n");
    String first = h.build(BuildRequest.of(ctx)).ok().imageId();

    h.restart();
    h.engine.images().pruneCandidates(false).forEach(i -> h.engine.images().remove(i.id().toString(), false));
    EngineHarness.Built again = h.build(BuildRequest.of(ctx)).ok();

    assertThat(again.imageId()).isEqualTo(first);
    assertThat(again.output()).contains(" ---> Using cache\n");
    assertThat(h.engine.builds().usage().entries()).isNotEmpty();

    var pruned = h.engine.builds().prune(true, java.time.Duration.ZERO);
    assertThat(pruned.cachesDeleted()).isNotEmpty();
    assertThat(pruned.spaceReclaimed()).isPositive();
    assertThat(h.engine.builds().usage().entries()).isEmpty();
    assertThat(h.engine.images().lookup(first)).isEmpty();
    assertThat(h.build(BuildRequest.of(ctx)).ok().output()).doesNotContain("Using cache");
  }

  @Test
  void independentStagesRunInParallelAndPrintInDockerfileOrder() throws Exception {
    Path ctx = h.context("parallel", "Dockerfile", "FROM " + h.busybox + " AS one\nRUN sleep 3 && echo one > /one\n"
        + "FROM " + h.busybox + " AS two\nRUN sleep 3 && echo two > /two\n"
        + "FROM " + h.busybox + "\nCOPY --from=one /one /one\nCOPY --from=two /two /two\n");

    long t0 = System.nanoTime();
    EngineHarness.Built b = h.build(BuildRequest.of(ctx)).ok();
    long millis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(millis).as("two 3 s stages side by side").isLessThan(5_500);
    String out = b.output();
    assertThat(out.indexOf("Step 2/7")).isLessThan(out.indexOf("Step 3/7"));
    assertThat(out.indexOf("Step 3/7")).isLessThan(out.indexOf("Step 4/7"));
    assertThat(h.read(b.imageId(), "/one") + h.read(b.imageId(), "/two")).isEqualTo("one\ntwo\n");
  }

  @Test
  void aCancelledBuildStopsItsRunAndLeavesNothing() throws Exception {
    Path ctx = h.context("cancel", "Dockerfile", "FROM " + h.busybox + "\nRUN echo started && sleep 60\n");
    dev.berth.engine.build.BuildCancel cancel = new dev.berth.engine.build.BuildCancel();
    int images = h.imageCount();
    var result = new java.util.concurrent.CompletableFuture<EngineHarness.Built>();
    Thread.ofVirtual().start(() -> result.complete(h.build(BuildRequest.of(ctx).withNoCache(true), cancel)));
    assertThat(dev.berth.testkit.Poll.until(java.time.Duration.ofSeconds(20), () -> h.containerCount() == 1)).isTrue();

    cancel.cancel();

    EngineHarness.Built b = result.get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(b.error()).isInstanceOf(BuildException.class);
    assertThat(h.containerCount()).isZero();
    assertThat(h.imageCount()).isEqualTo(images);
    assertThat(h.mounts()).isEmpty();
  }

  @Test
  void heredocsLabelsAndAddOfALocalArchiveWork() throws Exception {
    Path ctx = h.context("misc", "Dockerfile", "FROM " + h.busybox + "\n"
        + "RUN <<EOF\necho from-heredoc > /h.txt\nEOF\n"
        + "COPY <<EOF /etc/greeting\nhello ${WHO:-world}\nEOF\n"
        + "ADD files.tar.gz /unpacked/\n"
        + "COPY files.tar.gz /kept/\n");
    Path src = java.nio.file.Files.createDirectories(h.dir.resolve("tarsrc"));
    java.nio.file.Files.writeString(src.resolve("inside.txt"), "inside\n");
    dev.berth.testkit.Commands.run(List.of("tar", "-czf", ctx.resolve("files.tar.gz").toString(), "-C", src.toString(),
        "inside.txt"), java.time.Duration.ofSeconds(30));

    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withLabels(Map.of("built.by", "berth"))).ok();

    assertThat(h.read(b.imageId(), "/h.txt")).isEqualTo("from-heredoc\n");
    assertThat(h.read(b.imageId(), "/etc/greeting")).isEqualTo("hello world\n");
    assertThat(h.read(b.imageId(), "/unpacked/inside.txt")).isEqualTo("inside\n");
    assertThat(h.stat(b.imageId(), "/kept/files.tar.gz")).startsWith("644 ");
    assertThat(h.image(b.imageId()).config().config().labels()).containsEntry("built.by", "berth");
    assertThat(b.output()).contains("Step 6/6 : LABEL built.by=berth\n");
  }

  @Test
  void isolationVmRunsTheRunStepsInMicroVmsWithTheSameResult() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(
        Path.of("/usr/bin/qemu-system-x86_64")), "qemu-system-x86 is not installed");
    Path ctx = h.context("vm", "Dockerfile", "FROM " + h.busybox + "\nWORKDIR /w\n"
        + "RUN echo in-vm > /w/vm.txt && rm /etc/group && echo done\n");

    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withIsolation("vm").withNoCache(true)).ok();

    assertThat(b.output()).contains("done\n");
    assertThat(h.read(b.imageId(), "/w/vm.txt")).isEqualTo("in-vm\n");
    assertThat(h.exists(b.imageId(), "/etc/group")).as("the whiteout hides it").isFalse();
    assertThat(h.exists(b.imageId(), "/etc/passwd")).isTrue();
  }

  @Test
  void runStepsJoinTheBuildsNetworkUnlessRunNetworkSaysOtherwise() throws Exception {
    Path ctx = h.context("network", "Dockerfile", "FROM " + h.busybox + "\n"
        + "RUN grep -c ':' /proc/net/dev > /default-ifaces\n"
        + "RUN --network=none grep -c ':' /proc/net/dev > /none-ifaces\n");

    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withNoCache(true)).ok();

    assertThat(h.read(b.imageId(), "/default-ifaces")).as("lo and eth0 on the default bridge").isEqualTo("2\n");
    assertThat(h.read(b.imageId(), "/none-ifaces")).as("lo only").isEqualTo("1\n");
  }

  @Test
  void cacheFromServesStepsFromAnImagesHistoryWithoutRunningThem() throws Exception {
    Path ctx = h.context("cachefrom", "Dockerfile", "FROM " + h.busybox + "\nENV A=1\nCOPY f /f\n"
        + "RUN cat /f > /r\n", "f", "first\n");
    h.build(BuildRequest.of(ctx).withTags(List.of("cache-src:1"))).ok();
    h.engine.builds().prune(true, java.time.Duration.ZERO); // the step cache is gone; the tagged image stays

    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withCacheFrom(List.of("cache-src:1"))).ok();

    assertThat(b.output()).contains(" ---> Using cache\n").doesNotContain("Running in");
    assertThat(h.read(b.imageId(), "/r")).isEqualTo("first\n");
    java.nio.file.Files.writeString(ctx.resolve("f"), "second\n");
    h.engine.builds().prune(true, java.time.Duration.ZERO);
    EngineHarness.Built changed = h.build(BuildRequest.of(ctx).withCacheFrom(List.of("cache-src:1"))).ok();
    assertThat(changed.output()).contains("Running in");
    assertThat(h.read(changed.imageId(), "/r")).isEqualTo("second\n");
  }

  @Test
  void aFailingStageStopsTheOtherStagesRunAndItsErrorIsTheBuilds() throws Exception {
    Path ctx = h.context("stagefail", "Dockerfile", "FROM " + h.busybox + " AS slow\nRUN sleep 60\n"
        + "FROM " + h.busybox + " AS broken\nRUN sleep 1 && exit 7\n"
        + "FROM " + h.busybox + "\nCOPY --from=slow /etc/passwd /a\nCOPY --from=broken /etc/passwd /b\n");

    long t0 = System.nanoTime();
    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withNoCache(true));

    assertThat(b.error()).hasMessage("The command '/bin/sh -c sleep 1 && exit 7' returned a non-zero code: 7");
    assertThat((System.nanoTime() - t0) / 1_000_000).as("the slow stage was stopped").isLessThan(30_000);
    assertThat(h.containerCount()).isZero();
    assertThat(h.mounts()).isEmpty();
  }
}
