package dev.berth.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.image.layer.LayerStore;
import dev.berth.engine.image.layer.LayerUnpacker;
import dev.berth.engine.state.ImageTable;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.system.HostFacts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image store over real SQLite, content and layer stores on temp dirs (no root). */
class ImageServiceTest {
  @TempDir
  Path dir;

  private StateStore state;
  private ImageService images;
  private ImageImporter importer;

  @BeforeEach
  void open() throws Exception {
    state = StateStore.open(dir.resolve("berth.db"));
    images = new ImageService(ContentStore.open(dir.resolve("content")), LayerStore.open(dir, new LayerUnpacker()),
        new ImageTable(state), Clock.systemUTC(), new dev.berth.engine.events.EventBus(Clock.systemUTC()));
    importer = new ImageImporter(images, dir.resolve("tmp"), HostFacts.probe());
  }

  @AfterEach
  void close() {
    state.close();
  }

  private Image imported(String file, String tag) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      byte[] content = file.getBytes();
      TarArchiveEntry e = new TarArchiveEntry(file);
      e.setSize(content.length);
      e.setModTime(0); // same bytes every time: two imports of one file share the layer
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    return importer.importTarball(new ByteArrayInputStream(bytes.toByteArray()),
        Optional.ofNullable(tag).map(Reference::parse), List.of(), "test");
  }

  @Test
  void findsByNameFullIdAndUniquePrefix() throws Exception {
    Image image = imported("a.txt", "app:1");
    assertThat(images.find("app:1").id()).isEqualTo(image.id());
    assertThat(images.find("docker.io/library/app:1").id()).isEqualTo(image.id());
    assertThat(images.find(image.id().toString()).id()).isEqualTo(image.id());
    assertThat(images.find(image.id().hex().substring(0, 6)).id()).isEqualTo(image.id());
    assertThatThrownBy(() -> images.find("app:2")).isInstanceOf(BerthException.NotFound.class)
        .hasMessage("No such image: app:2");
  }

  @Test
  void removingOneOfTwoTagsKeepsTheImage() throws Exception {
    Image image = imported("b.txt", "app:1");
    images.tag("app:1", Reference.parse("app:2"));
    assertThat(images.remove("app:1", false)).containsExactly(new ImageService.Removal.Untagged("app:1"));
    assertThat(images.find("app:2").id()).isEqualTo(image.id());
  }

  @Test
  void removingByIdWithSeveralTagsNeedsForceAndCollectsFiles() throws Exception {
    Image image = imported("c.txt", "app:1");
    images.tag("app:1", Reference.parse("other:1"));
    assertThatThrownBy(() -> images.remove(image.shortId(), false))
        .isInstanceOf(BerthException.Conflict.class).hasMessageContaining("must be forced");
    List<ImageService.Removal> removed = images.remove(image.shortId(), true);
    assertThat(removed).contains(new ImageService.Removal.Deleted(image.id().toString()));
    assertThat(images.lookup(image.id().toString())).isEmpty();
    assertThat(images.layers().exists(image.layers().getFirst().chainId())).isFalse();
    assertThat(images.content().exists(image.layers().getFirst().blob().digest())).isFalse();
    assertThat(images.content().exists(image.id())).isFalse();
  }

  @Test
  void aLayerSharedByTwoImagesStaysUntilTheLastGoes() throws Exception {
    Image first = imported("same.txt", "one:1");
    // The same tar again: a new image (its config has another creation time) on the same layer.
    Image second = imported("same.txt", "two:1");
    String chain = first.layers().getFirst().chainId();
    assertThat(second.layers().getFirst().chainId()).isEqualTo(chain);
    images.remove("one:1", false);
    assertThat(images.layers().exists(chain)).isTrue();
    images.remove("two:1", false);
    assertThat(images.layers().exists(chain)).isFalse();
  }

  @Test
  void pinnedLayersSurviveTheRemovalOfTheirLastImage() throws Exception {
    Image image = imported("pinned.txt", "p:1");
    String chain = image.layers().getFirst().chainId();
    try (ImageService.Pin _ = images.pin(List.of(chain))) {
      images.remove("p:1", false);
      assertThat(images.layers().exists(chain)).isTrue();
    }
    assertThat(images.lookup(image.id().toString())).isEmpty();
  }

  @Test
  void anImageInUseByAContainerStaysAsDocker() throws Exception {
    Image image = imported("d.txt", "busy:1");
    images.setUsage(id -> id.equals(image.id()));
    assertThatThrownBy(() -> images.remove("busy:1", false)).isInstanceOf(BerthException.Conflict.class)
        .hasMessageContaining("(must force) - a container is using its referenced image");
    assertThat(images.find("busy:1").id()).isEqualTo(image.id());
    assertThatThrownBy(() -> images.remove(image.id().toString(), true))
        .hasMessageContaining("(cannot be forced) - image is being used by a container");
    // Forcing the last tag away untags it; the image stays for its container.
    assertThat(images.remove("busy:1", true)).containsExactly(new ImageService.Removal.Untagged("busy:1"));
    assertThat(images.find(image.id().toString()).repoTags()).isEmpty();
    assertThat(Files.exists(images.layers().diffDir(image.layers().getFirst().chainId()))).isTrue();
  }
}
