package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelAbiTest {
  @TempDir Path dir;

  private static Properties config(String text) throws IOException {
    Properties p = new Properties();
    p.load(new java.io.StringReader(text));
    return p;
  }

  @Test
  void x32RunsOnlyWhenBuiltInAndNotSwitchedOff() throws IOException {
    assertThat(KernelAbi.x32Usable(config("# CONFIG_X86_X32_ABI is not set\nCONFIG_X86_64=y\n"), "quiet")).isFalse();
    assertThat(KernelAbi.x32Usable(config("CONFIG_X86_X32_ABI=y\n"), "quiet")).isTrue();
    // Debian: built in, off unless the command line asks for it.
    Properties debian = config("CONFIG_X86_X32_ABI=y\nCONFIG_X86_X32_DISABLED=y\n");
    assertThat(KernelAbi.x32Usable(debian, "BOOT_IMAGE=/vmlinuz ro quiet")).isFalse();
    assertThat(KernelAbi.x32Usable(debian, "BOOT_IMAGE=/vmlinuz ro syscall.x32=y quiet\n")).isTrue();
    assertThat(KernelAbi.x32Usable(debian, "nosyscall.x32=y")).isFalse();
    // Kernels before 5.4 called it CONFIG_X86_X32.
    assertThat(KernelAbi.x32Usable(config("CONFIG_X86_X32=y\n"), "")).isTrue();
  }

  @Test
  void readsPlainAndGzippedConfigsAndNothingWhenAbsent() throws IOException {
    String text = "#\n# Automatically generated file\nCONFIG_X86_X32_ABI=y\nCONFIG_LOCALVERSION=\"-fc\"\n";
    Path plain = Files.writeString(dir.resolve("config-6.1.0"), text);
    Path gz = dir.resolve("config.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(KernelAbi.readConfig(plain)).hasValueSatisfying(p -> assertThat(p.getProperty("CONFIG_X86_X32_ABI")).isEqualTo("y"));
    assertThat(KernelAbi.readConfig(gz)).hasValueSatisfying(p -> assertThat(p.getProperty("CONFIG_X86_X32_ABI")).isEqualTo("y"));
    assertThat(KernelAbi.readConfig(dir.resolve("absent"))).isEmpty();
  }

  @Test
  void thisHostGivesAnAnswerMatchingItsConfig() {
    // Whatever the machine, an answer exists when its kernel config does.
    boolean configKnown = Files.isReadable(Path.of("/proc/config.gz"))
        || Files.isReadable(Path.of("/boot/config-" + System.getProperty("os.version")));
    assertThat(KernelAbi.x32Usable().isPresent()).isEqualTo(configKnown);
  }
}
