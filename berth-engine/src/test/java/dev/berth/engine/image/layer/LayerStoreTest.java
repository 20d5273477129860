package dev.berth.engine.image.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerStoreTest {
  private static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  @TempDir Path dataRoot;

  private final byte[] baseTar = new TarBuilder().file("etc/os-release", "ID=berth").tar();
  private final byte[] topTar = new TarBuilder().file("app/run", "go").file("etc/.wh.os-release", "").tar();
  private final String baseDiff = TarBuilder.sha256(baseTar);
  private final String topDiff = TarBuilder.sha256(topTar);

  private static LayerStore.BlobSource source(byte[] tar, AtomicInteger opens) {
    return () -> {
      opens.incrementAndGet();
      return new ByteArrayInputStream(TarBuilder.gzip(tar));
    };
  }

  @Test
  void ensureUnpacksOnceAndRecordsTheChain() throws IOException {
    LayerStore store = LayerStore.open(dataRoot, new LayerUnpacker());
    AtomicInteger opens = new AtomicInteger();

    Layer base = store.ensure(null, baseDiff, GZIP, source(baseTar, opens));
    Layer top = store.ensure(base.chainId(), topDiff, GZIP, source(topTar, opens));
    Layer again = store.ensure(base.chainId(), topDiff, GZIP, source(topTar, opens));

    assertThat(opens).hasValue(2);
    assertThat(again).isEqualTo(top);
    assertThat(base.chainId()).isEqualTo(baseDiff);
    assertThat(top.chainId()).isEqualTo(ChainIds.of(List.of(baseDiff, topDiff)));
    assertThat(top.parentChainId()).isEqualTo(base.chainId());
    assertThat(top.size()).isEqualTo(topTar.length);
    Path topDir = dataRoot.resolve("layers").resolve(Digests.hex(top.chainId()));
    assertThat(top.diffDir()).isEqualTo(topDir.resolve("diff")).isEqualTo(store.diffDir(top.chainId()));
    assertThat(top.diffDir().resolve("app/run")).hasContent("go");
    assertThat(store.exists(top.chainId())).isTrue();
    assertThat(store.get(top.chainId())).isEqualTo(top);

    JsonNode meta = new ObjectMapper().readTree(topDir.resolve("layer.json").toFile());
    assertThat(meta.get("diffId").asText()).isEqualTo(topDiff);
    assertThat(meta.get("parentChainId").asText()).isEqualTo(baseDiff);
    assertThat(meta.get("size").asLong()).isEqualTo(topTar.length);
    assertThat(Files.list(dataRoot.resolve("layers")).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder(Digests.hex(base.chainId()), Digests.hex(top.chainId()));
  }

  @Test
  void concurrentCallersForOneChainUnpackItOnce() throws Exception {
    LayerStore store = LayerStore.open(dataRoot, new LayerUnpacker());
    int callers = 6;
    AtomicInteger opens = new AtomicInteger();
    List<Thread> waiting = new ArrayList<>();
    CountDownLatch allStarted = new CountDownLatch(callers);
    // The first caller to get the lock holds it until every other caller is blocked on it,
    // so the test really exercises waiting rather than callers arriving one after another.
    LayerStore.BlobSource blob = () -> {
      opens.incrementAndGet();
      try {
        allStarted.await(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (waiting) {
          for (Thread t : waiting) {
            while (t != Thread.currentThread() && t.getState() != Thread.State.WAITING) {
              if (System.nanoTime() > deadline) {
                throw new AssertionError("caller " + t.getName() + " never blocked: " + t.getState());
              }
              Thread.onSpinWait();
            }
          }
        }
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      return new ByteArrayInputStream(TarBuilder.gzip(baseTar));
    };
    ExecutorService pool = Executors.newFixedThreadPool(callers, r -> {
      Thread t = new Thread(r);
      synchronized (waiting) {
        waiting.add(t);
      }
      return t;
    });
    try {
      List<Future<Layer>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        Callable<Layer> call = () -> {
          allStarted.countDown();
          return store.ensure(null, baseDiff, GZIP, blob);
        };
        results.add(pool.submit(call));
      }
      Layer first = results.get(0).get(30, TimeUnit.SECONDS);
      for (Future<Layer> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(first);
      }
      assertThat(opens).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWrongBlobLeavesNothingBehind() throws IOException {
    LayerStore store = LayerStore.open(dataRoot, new LayerUnpacker());
    assertThatThrownBy(() -> store.ensure(null, baseDiff, GZIP, source(topTar, new AtomicInteger())))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining(baseDiff);
    assertThat(store.exists(baseDiff)).isFalse();
    assertThat(dataRoot.resolve("layers")).isEmptyDirectory();
  }

  @Test
  void removeDeletesTheLayer() throws IOException {
    LayerStore store = LayerStore.open(dataRoot, new LayerUnpacker());
    Layer base = store.ensure(null, baseDiff, GZIP, source(baseTar, new AtomicInteger()));
    store.remove(base.chainId());
    assertThat(store.exists(base.chainId())).isFalse();
    assertThat(dataRoot.resolve("layers")).isEmptyDirectory();
    assertThatThrownBy(() -> store.diffDir(base.chainId())).isInstanceOf(BerthException.NotFound.class);
    assertThatThrownBy(() -> store.remove(base.chainId())).isInstanceOf(BerthException.NotFound.class);
  }

  @Test
  void openRemovesLeftoversOfInterruptedWork() throws IOException {
    LayerStore first = LayerStore.open(dataRoot, new LayerUnpacker());
    Layer base = first.ensure(null, baseDiff, GZIP, source(baseTar, new AtomicInteger()));
    Path layers = dataRoot.resolve("layers");
    Path leftover = Files.createDirectories(layers.resolve(Digests.hex(topDiff) + ".tmp-0123/diff.tmp-4567/usr"));
    Files.writeString(leftover.resolve("half-written"), "x");
    Files.setPosixFilePermissions(leftover, java.nio.file.attribute.PosixFilePermissions.fromString("r-x------"));

    LayerStore reopened = LayerStore.open(dataRoot, new LayerUnpacker());

    assertThat(Files.list(layers).map(p -> p.getFileName().toString())).containsExactly(Digests.hex(base.chainId()));
    assertThat(reopened.get(base.chainId())).isEqualTo(base);
  }

  @Test
  void refusesChainIdsThatAreNotDigests() throws IOException {
    LayerStore store = LayerStore.open(dataRoot, new LayerUnpacker());
    assertThatThrownBy(() -> store.exists("sha256:../../etc"))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("chain ID");
  }
}
