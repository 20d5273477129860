package dev.berth.engine.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudInitSeedTest {
  @TempDir
  Path dir;

  @Test
  void theSeedIsAFatImageLabelledCidataWithUserAndMetaData() throws Exception {
    Assumptions.assumeTrue(Qemu.onPath("mkfs.vfat").isPresent() && Qemu.onPath("mcopy").isPresent(),
        "dosfstools and mtools are not installed");
    Path userData = Files.writeString(dir.resolve("user.yaml"), "#cloud-config\nhostname: seeded\n");
    Path seed = dir.resolve("seed.img");
    CloudInitSeed.write(seed, userData, "id-123", "web");

    // mtools read the image back: the volume label and both files, byte for byte.
    String label = Qemu.run(List.of("mlabel", "-i", seed.toString(), "-s", "::"), "mlabel");
    assertThat(label.toLowerCase()).contains("cidata");
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Qemu.run(List.of("mcopy", "-i", seed.toString(), "::user-data", "::meta-data", out.toString()), "mcopy");
    assertThat(out.resolve("user-data")).hasSameTextualContentAs(userData);
    assertThat(Files.readString(out.resolve("meta-data"))).isEqualTo("instance-id: id-123\nlocal-hostname: web\n");
    assertThat(dir.resolve("seed-files")).doesNotExist();
  }
}
