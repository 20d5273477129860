package dev.berth.engine.build.dockerfile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The JSON (exec) form of an instruction's arguments, read as moby's parseJSON reads it. */
final class JsonArgs {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonArgs() {}

  /**
   * The strings of a JSON array at the start of {@code rest}, or empty when {@code rest} is not
   * a JSON array (then it is the shell form). Like Go's json.Decoder, only the first JSON value
   * is read; text after the closing bracket is ignored.
   */
  static Optional<List<String>> parse(String rest) {
    String text = Words.trimLeft(rest);
    if (!text.startsWith("[")) {
      return Optional.empty();
    }
    JsonNode tree;
    try (JsonParser parser = MAPPER.createParser(text)) {
      tree = MAPPER.readTree(parser);
    } catch (IOException e) {
      return Optional.empty(); // not JSON: the shell form
    }
    if (tree == null || !tree.isArray()) {
      return Optional.empty();
    }
    List<String> args = new ArrayList<>();
    for (JsonNode element : tree) {
      if (!element.isTextual()) {
        throw Instructions.parserError("when using JSON array syntax, arrays must be comprised of strings only");
      }
      args.add(element.textValue());
    }
    return Optional.of(args);
  }
}
