package dev.berth.engine.content;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.berth.engine.BerthException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 lowercase hex>}. Only sha256 is accepted: it is what every
 * registry and image format in use produces, and one algorithm keeps the blob layout simple.
 *
 * @param hex the 64 lowercase hex characters of the sha256 sum
 */
public record Digest(String hex) implements Comparable<Digest> {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private static final String PREFIX = "sha256:";

  public Digest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new BerthException.InvalidArgument(
          "invalid sha256 digest hex '" + hex + "': expected 64 lowercase hex characters");
    }
  }

  /** Parses {@code sha256:<hex>}; anything else is an {@link BerthException.InvalidArgument}. */
  @JsonCreator
  public static Digest parse(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      throw new BerthException.InvalidArgument(
          "invalid digest '" + text + "': expected sha256:<64 lowercase hex characters>");
    }
    String hex = text.substring(PREFIX.length());
    if (!HEX.matcher(hex).matches()) {
      throw new BerthException.InvalidArgument(
          "invalid digest '" + text + "': expected sha256:<64 lowercase hex characters>");
    }
    return new Digest(hex);
  }

  /** The digest of these bytes. */
  public static Digest of(byte[] bytes) {
    return fromSha256(newSha256().digest(bytes));
  }

  /** The digest from a finished sha256 sum. */
  public static Digest fromSha256(byte[] sum) {
    return new Digest(HexFormat.of().formatHex(sum));
  }

  /** A fresh sha256 hasher; sha256 is mandatory in every JDK, so it cannot be missing. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The 12-character short form used in logs and progress output. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @JsonValue
  @Override
  public String toString() {
    return PREFIX + hex;
  }

  @Override
  public int compareTo(Digest other) {
    return hex.compareTo(other.hex);
  }
}
