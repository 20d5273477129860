package dev.berth.engine.image;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.berth.engine.BerthException;
import java.io.IOException;

/** JSON for image formats: one configured mapper, and parse errors as user-facing messages. */
public final class ImageJson {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private ImageJson() {}

  /**
   * Parses image JSON.
   *
   * @param what names the document in the error, such as {@code manifest of busybox:latest}
   */
  public static <T> T read(byte[] json, Class<T> type, String what) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new BerthException.InvalidArgument(
          "cannot parse the " + what + " as " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }
}
