package dev.berth.engine.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
  @TempDir Path root;

  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);
  private static final Digest HELLO_DIGEST = Digest.of(HELLO);

  @Test
  void writesReadsListsAndDeletes() throws IOException {
    ContentStore store = ContentStore.open(root);

    ContentStore.Stored stored = store.write(HELLO_DIGEST, new ByteArrayInputStream(HELLO), 100);

    assertThat(stored).isEqualTo(new ContentStore.Stored(HELLO_DIGEST, 5, true));
    assertThat(root.resolve("blobs/sha256/" + HELLO_DIGEST.hex())).hasBinaryContent(HELLO);
    assertThat(store.exists(HELLO_DIGEST)).isTrue();
    assertThat(store.size(HELLO_DIGEST)).isEqualTo(5);
    try (InputStream in = store.open(HELLO_DIGEST)) {
      assertThat(in.readAllBytes()).isEqualTo(HELLO);
    }
    assertThat(store.list()).containsExactly(HELLO_DIGEST);

    assertThat(store.delete(HELLO_DIGEST)).isTrue();
    assertThat(store.delete(HELLO_DIGEST)).isFalse();
    assertThat(store.exists(HELLO_DIGEST)).isFalse();
    assertThat(store.list()).isEmpty();
  }

  @Test
  void engineStoreLivesUnderDataRootContent() throws IOException {
    ContentStore store = ContentStore.open(new dev.berth.engine.EngineConfig(root, root.resolve("run")));
    store.write(HELLO_DIGEST, new ByteArrayInputStream(HELLO), 100);
    assertThat(root.resolve("content/blobs/sha256/" + HELLO_DIGEST.hex())).hasBinaryContent(HELLO);
  }

  @Test
  void missingBlobIsNotFound() throws IOException {
    ContentStore store = ContentStore.open(root);
    assertThatThrownBy(() -> store.open(HELLO_DIGEST))
        .isInstanceOf(BerthException.NotFound.class)
        .hasMessageContaining(HELLO_DIGEST.toString());
    assertThatThrownBy(() -> store.size(HELLO_DIGEST)).isInstanceOf(BerthException.NotFound.class);
  }

  @Test
  void digestMismatchNamesBothDigestsAndLeavesNothing() throws IOException {
    ContentStore store = ContentStore.open(root);
    byte[] other = "goodbye".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> store.write(HELLO_DIGEST, new ByteArrayInputStream(other), 100))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining(HELLO_DIGEST.toString())
        .hasMessageContaining(Digest.of(other).toString());

    assertThat(blobDirEntries()).isEmpty();
  }

  @Test
  void wrongSizeAndOversizeAreRejected() throws IOException {
    ContentStore store = ContentStore.open(root);

    assertThatThrownBy(
            () -> store.write(HELLO_DIGEST, 4, 4, () -> new ByteArrayInputStream(HELLO), _ -> {}))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("declared size of 4");
    assertThatThrownBy(
            () -> store.write(HELLO_DIGEST, 6, 6, () -> new ByteArrayInputStream(HELLO), _ -> {}))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("has 5 bytes, expected 6");
    assertThatThrownBy(() -> store.write(HELLO_DIGEST, new ByteArrayInputStream(HELLO), 3))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("limit of 3 bytes");

    assertThat(blobDirEntries()).isEmpty();
  }

  @Test
  void existingBlobIsNotRewrittenAndItsSourceNeverOpened() throws IOException {
    ContentStore store = ContentStore.open(root);
    store.write(HELLO_DIGEST, new ByteArrayInputStream(HELLO), 100);
    Path blob = store.path(HELLO_DIGEST);
    Object inode = Files.readAttributes(blob, "unix:ino").get("ino");

    ContentStore.Stored again =
        store.write(
            HELLO_DIGEST,
            5,
            5,
            () -> {
              throw new AssertionError("the source of a present blob must not be opened");
            },
            _ -> {});

    assertThat(again.written()).isFalse();
    assertThat(Files.readAttributes(blob, "unix:ino").get("ino")).isEqualTo(inode);
  }

  @Test
  void reportsProgress() throws IOException {
    ContentStore store = ContentStore.open(root);
    byte[] big = new byte[200_000];
    big[7] = 1;
    List<Long> seen = new ArrayList<>();
    store.write(Digest.of(big), big.length, big.length, () -> new ByteArrayInputStream(big), seen::add);
    assertThat(seen).isSorted().last().isEqualTo(200_000L);
  }

  @Test
  void staleTempFilesAreRemovedAtOpen() throws IOException {
    Path dir = Files.createDirectories(root.resolve("blobs/sha256"));
    Files.writeString(dir.resolve(HELLO_DIGEST.hex() + ".tmp-crashed"), "partial");
    Files.write(dir.resolve(HELLO_DIGEST.hex()), HELLO);

    ContentStore store = ContentStore.open(root);

    assertThat(blobDirEntries()).containsExactly(HELLO_DIGEST.hex());
    assertThat(store.list()).containsExactly(HELLO_DIGEST);
  }

  @Test
  void concurrentWritersOfOneDigestReadTheSourceOnce() throws Exception {
    ContentStore store = ContentStore.open(root);
    AtomicInteger opens = new AtomicInteger();
    CountDownLatch leaderOpened = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ContentStore.Source slow =
        () -> {
          opens.incrementAndGet();
          leaderOpened.countDown();
          await(release);
          return new ByteArrayInputStream(HELLO);
        };
    ContentStore.Source counting =
        () -> {
          opens.incrementAndGet();
          return new ByteArrayInputStream(HELLO);
        };
    AtomicReference<ContentStore.Stored> first = new AtomicReference<>();
    AtomicReference<ContentStore.Stored> second = new AtomicReference<>();

    Thread leader = Thread.ofPlatform().start(() -> first.set(write(store, slow)));
    assertThat(leaderOpened.await(10, TimeUnit.SECONDS)).isTrue();
    Thread follower = Thread.ofPlatform().start(() -> second.set(write(store, counting)));
    awaitState(follower, Thread.State.WAITING);
    release.countDown();
    leader.join(10_000);
    follower.join(10_000);

    assertThat(opens).hasValue(1);
    assertThat(first.get().written()).isTrue();
    assertThat(second.get()).isEqualTo(new ContentStore.Stored(HELLO_DIGEST, 5, false));
  }

  @Test
  void followerUsesItsOwnSourceWhenTheLeaderFails() throws Exception {
    ContentStore store = ContentStore.open(root);
    CountDownLatch leaderOpened = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ContentStore.Source corrupt =
        () -> {
          leaderOpened.countDown();
          await(release);
          return new ByteArrayInputStream("corrupt".getBytes(StandardCharsets.UTF_8));
        };
    AtomicReference<Throwable> leaderFailure = new AtomicReference<>();
    AtomicReference<ContentStore.Stored> second = new AtomicReference<>();

    Thread leader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    write(store, corrupt);
                  } catch (Throwable t) {
                    leaderFailure.set(t);
                  }
                });
    assertThat(leaderOpened.await(10, TimeUnit.SECONDS)).isTrue();
    Thread follower =
        Thread.ofPlatform().start(() -> second.set(write(store, () -> new ByteArrayInputStream(HELLO))));
    awaitState(follower, Thread.State.WAITING);
    release.countDown();
    leader.join(10_000);
    follower.join(10_000);

    assertThat(leaderFailure.get()).isInstanceOf(BerthException.InvalidArgument.class);
    assertThat(second.get()).isEqualTo(new ContentStore.Stored(HELLO_DIGEST, 5, true));
    assertThat(store.list()).containsExactly(HELLO_DIGEST);
  }

  @Test
  void readThroughHandsOutTheBytesAndStoresTheBlobOnlyAtTheEnd() throws IOException {
    ContentStore store = ContentStore.open(root);
    byte[] big = new byte[700_000];
    new java.util.Random(3).nextBytes(big);
    Digest digest = Digest.of(big);
    List<Long> progress = new ArrayList<>();

    java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
    try (InputStream in = store.readThrough(digest, big.length, big.length,
        () -> new ByteArrayInputStream(big), progress::add)) {
      read.write(in.readNBytes(1000));
      assertThat(store.exists(digest)).as("no blob before its digest is checked").isFalse();
      assertThat(blobDirEntries()).singleElement().asString().contains(".tmp-");
      in.transferTo(read);
    }

    assertThat(read.toByteArray()).isEqualTo(big);
    assertThat(store.path(digest)).hasBinaryContent(big);
    assertThat(blobDirEntries()).containsExactly(digest.hex());
    assertThat(progress).isSorted().last().isEqualTo((long) big.length);
  }

  @Test
  void readThroughOfAPresentBlobReadsTheStoreAndNeverOpensTheSource() throws IOException {
    ContentStore store = ContentStore.open(root);
    store.write(HELLO_DIGEST, new ByteArrayInputStream(HELLO), 100);

    try (InputStream in = store.readThrough(HELLO_DIGEST, 5, 5, () -> {
      throw new AssertionError("the source of a present blob must not be opened");
    }, _ -> {})) {
      assertThat(in.readAllBytes()).isEqualTo(HELLO);
    }
  }

  @Test
  void readThroughDigestMismatchFailsTheReadBeforeItsEndAndLeavesNothing() throws IOException {
    ContentStore store = ContentStore.open(root);
    byte[] other = "hallo".getBytes(StandardCharsets.UTF_8); // same size, other bytes

    byte[] buffer = new byte[100];
    try (InputStream in = store.readThrough(HELLO_DIGEST, 5, 5, () -> new ByteArrayInputStream(other), _ -> {})) {
      assertThatThrownBy(() -> {
        while (in.read(buffer) >= 0) {
          // a reader that stops only at the end never sees it
        }
      }).isInstanceOf(BerthException.InvalidArgument.class)
          .hasMessageContaining("digest mismatch")
          .hasMessageContaining(Digest.of(other).toString());
    }
    assertThat(blobDirEntries()).isEmpty();

    // The next try, with the right bytes, stores the blob.
    try (InputStream in = store.readThrough(HELLO_DIGEST, 5, 5, () -> new ByteArrayInputStream(HELLO), _ -> {})) {
      assertThat(in.readAllBytes()).isEqualTo(HELLO);
    }
    assertThat(store.list()).containsExactly(HELLO_DIGEST);
  }

  @Test
  void readThroughRefusesBytesPastTheDeclaredSizeBeforeHandingThemOut() throws IOException {
    ContentStore store = ContentStore.open(root);
    byte[] big = new byte[1_000_000];

    try (InputStream in = store.readThrough(Digest.of(big), 10, 10, () -> new ByteArrayInputStream(big), _ -> {})) {
      assertThatThrownBy(() -> in.read(new byte[100]))
          .isInstanceOf(BerthException.InvalidArgument.class)
          .hasMessageContaining("declared size of 10");
    }
    assertThat(blobDirEntries()).isEmpty();
  }

  @Test
  void aSourceLostMidStreamIsASourceFailureAndLeavesNothing() throws IOException {
    ContentStore store = ContentStore.open(root);
    byte[] big = new byte[600_000];
    ContentStore.Source cutShort = () -> new InputStream() {
      private int served;

      @Override
      public int read() throws IOException {
        if (served++ >= 300_000) {
          throw new IOException("connection reset");
        }
        return 0;
      }
    };

    try (InputStream in = store.readThrough(Digest.of(big), big.length, big.length, cutShort, _ -> {})) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(ContentStore.SourceFailedException.class)
          .hasMessageContaining("connection reset");
    }
    assertThat(blobDirEntries()).isEmpty();
    // write() reports it as the IOException it was, so its callers retry.
    assertThatThrownBy(() -> store.write(Digest.of(big), big.length, big.length, cutShort, _ -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("connection reset");
    assertThat(blobDirEntries()).isEmpty();
  }

  @Test
  void readThroughClosedBeforeItsEndStoresNothingAndLetsAWaiterUseItsOwnSource() throws Exception {
    ContentStore store = ContentStore.open(root);
    byte[] big = new byte[700_000]; // more than one chunk, so the first read does not reach the end
    Digest digest = Digest.of(big);
    InputStream leader = store.readThrough(digest, big.length, big.length, () -> new ByteArrayInputStream(big), _ -> {});
    assertThat(leader.read()).isEqualTo(0);
    AtomicReference<ContentStore.Stored> second = new AtomicReference<>();
    Thread follower = Thread.ofPlatform().start(() -> {
      try {
        second.set(store.write(digest, big.length, big.length, () -> new ByteArrayInputStream(big), _ -> {}));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    awaitState(follower, Thread.State.WAITING);

    leader.close();
    follower.join(10_000);

    assertThat(second.get()).isEqualTo(new ContentStore.Stored(digest, big.length, true));
    assertThat(blobDirEntries()).containsExactly(digest.hex());
  }

  private static ContentStore.Stored write(ContentStore store, ContentStore.Source source) {
    try {
      return store.write(HELLO_DIGEST, 5, 5, source, _ -> {});
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Polls with a deadline until the thread blocks: the follower is then parked on the leader. */
  private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (thread.getState() != state) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("thread never reached " + state + ", is " + thread.getState());
      }
      Thread.sleep(5);
    }
  }

  private List<String> blobDirEntries() throws IOException {
    try (Stream<Path> entries = Files.list(root.resolve("blobs/sha256"))) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }
}
