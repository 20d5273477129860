package dev.berth.cli.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * JSON for the CLI: Jackson's tree nodes, read and written with jackson-core's streaming parser and
 * generator, never through an ObjectMapper. Making the first ObjectMapper costs a CLI run about
 * 55 ms here (its default date format initializes the JDK's calendar and locale providers), more
 * than a whole {@code berth ps}; the CLI only ever needs trees.
 */
public final class Json {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** One JSON document; an empty input is a missing node, as with ObjectMapper.readTree. */
  public static JsonNode parse(byte[] bytes) throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      return document(p);
    }
  }

  public static JsonNode parse(String text) throws IOException {
    try (JsonParser p = FACTORY.createParser(text)) {
      return document(p);
    }
  }

  /** One JSON document from a stream, which is read to the end but not closed. */
  public static JsonNode parse(InputStream in) throws IOException {
    try (JsonParser p = FACTORY.createParser(in)) {
      p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
      return document(p);
    }
  }

  private static JsonNode document(JsonParser p) throws IOException {
    if (p.nextToken() == null) {
      return NODES.missingNode();
    }
    JsonNode node = read(p);
    if (p.nextToken() != null) {
      throw new IOException("unexpected content after the JSON document at " + p.currentLocation().offsetDescription());
    }
    return node;
  }

  /**
   * The JSON values one after another in {@code in} (Docker's progress and event streams), each
   * as soon as it is complete. The stream is not closed.
   */
  public static Iterator<JsonNode> values(InputStream in) throws IOException {
    JsonParser p = FACTORY.createParser(in);
    p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    return new Iterator<>() {
      JsonToken next;

      @Override
      public boolean hasNext() {
        try {
          if (next == null) {
            next = p.nextToken();
          }
          return next != null;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public JsonNode next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        next = null;
        try {
          return read(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /** The value that starts at the parser's current token. */
  private static JsonNode read(JsonParser p) throws IOException {
    JsonToken token = p.currentToken();
    return switch (token) {
      case START_OBJECT -> {
        ObjectNode o = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          o.set(name, read(p));
        }
        yield o;
      }
      case START_ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(read(p));
        }
        yield a;
      }
      case VALUE_STRING -> NODES.textNode(p.getText());
      case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
        case INT -> NODES.numberNode(p.getIntValue());
        case LONG -> NODES.numberNode(p.getLongValue());
        default -> NODES.numberNode(p.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      default -> throw new IOException("unexpected JSON token " + token + " at " + p.currentLocation().offsetDescription());
    };
  }

  /** Compact JSON of a node, or of maps, lists, strings, numbers and booleans made into one. */
  public static String write(Object value) {
    return new String(bytes(value, false), java.nio.charset.StandardCharsets.UTF_8);
  }

  public static byte[] bytes(Object value) {
    return bytes(value, false);
  }

  /** Indented as the docker CLI's inspect output is read by people. */
  public static String pretty(Object value) {
    return new String(bytes(value, true), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] bytes(Object value, boolean pretty) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      if (pretty) {
        g.setPrettyPrinter(new DefaultPrettyPrinter());
      }
      write(g, tree(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          g.writeFieldName(field.getKey());
          write(g, field.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode item : node) {
          write(g, item);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case NUMBER -> {
        switch (node.numberType()) {
          case INT -> g.writeNumber(node.intValue());
          case LONG -> g.writeNumber(node.longValue());
          case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
          case FLOAT -> g.writeNumber(node.floatValue());
          case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
          default -> g.writeNumber(node.doubleValue());
        }
      }
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case BINARY -> g.writeBinary(node.binaryValue());
      case NULL, MISSING -> g.writeNull();
      case POJO -> throw new IllegalArgumentException("cannot write a POJO node as JSON");
    }
  }

  /** A node for a value made of maps, iterables, strings, numbers, booleans, nulls and nodes. */
  public static JsonNode tree(Object value) {
    return switch (value) {
      case null -> NODES.nullNode();
      case JsonNode node -> node;
      case String s -> NODES.textNode(s);
      case Boolean b -> NODES.booleanNode(b);
      case Integer i -> NODES.numberNode(i);
      case Long l -> NODES.numberNode(l);
      case Number n -> NODES.numberNode(n.doubleValue());
      case Map<?, ?> map -> {
        ObjectNode o = NODES.objectNode();
        map.forEach((k, v) -> o.set(String.valueOf(k), tree(v)));
        yield o;
      }
      case Iterable<?> items -> {
        ArrayNode a = NODES.arrayNode();
        items.forEach(item -> a.add(tree(item)));
        yield a;
      }
      default -> throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    };
  }
}
