package dev.berth.daemon.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The console's secret: 32 random bytes, new at every start, kept in
 * {@code <data-root>/console.token} (mode 0600, so only root reads it) and compared in constant time.
 */
public final class ConsoleToken {
  public static final String FILE_NAME = "console.token";

  private final String value;

  private ConsoleToken(String value) {
    this.value = value;
  }

  /** A fresh token, 32 random bytes. */
  public static ConsoleToken generate() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return new ConsoleToken(Base64.getUrlEncoder().withoutPadding().encodeToString(random));
  }

  /** Writes {@code dataRoot/console.token}: created 0600 and renamed into place; returns the file. */
  public Path writeTo(Path dataRoot) throws IOException {
    Files.createDirectories(dataRoot);
    Path file = dataRoot.resolve(FILE_NAME);
    Path tmp = dataRoot.resolve(FILE_NAME + ".tmp");
    Files.deleteIfExists(tmp);
    // Created with its mode, never readable by others even for an instant.
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, value + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return file;
  }

  /** For tests: a known token. */
  public static ConsoleToken of(String value) {
    return new ConsoleToken(value);
  }

  public String value() {
    return value;
  }

  /** Constant time, so the comparison tells nothing about how much of a guess was right. */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), candidate.strip().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "ConsoleToken[hidden]";
  }
}
