package dev.berth.engine.image.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image archive's unpacking: a hostile archive is the client's error and writes nothing outside. */
class ImageLoaderExtractTest {
  @TempDir Path tmp;

  private static byte[] tar(String... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      for (String spec : entries) {
        String[] nameAndLink = spec.split("->", 2);
        TarArchiveEntry e;
        if (nameAndLink.length == 2) {
          e = new TarArchiveEntry(nameAndLink[0], TarConstants.LF_SYMLINK, true);
          e.setLinkName(nameAndLink[1]);
        } else {
          e = new TarArchiveEntry(spec, true);
          e.setSize(1);
        }
        t.putArchiveEntry(e);
        if (nameAndLink.length == 1) {
          t.write('x');
        }
        t.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void aFileUnderALinkTheArchiveAlsoHasIsTheClientsError() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path dir = Files.createDirectories(tmp.resolve("load"));
    ImageLoader.extract(new ByteArrayInputStream(tar("esc->" + outside, "hl", "esc/x", "repositories")), dir);
    assertThat(outside).isEmptyDirectory();
    assertThat(dir.resolve("esc")).isDirectory(); // the link was never made: esc/x landed inside
    assertThat(dir.resolve("esc/x")).hasContent("x");
  }

  @Test
  void aFileWhereAnEarlierEntryMadeADirectoryIsTheClientsError() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("load"));
    assertThatThrownBy(() -> ImageLoader.extract(new ByteArrayInputStream(tar("a/b", "a", "a/c")), dir))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("archive entry a clashes");
  }
}
