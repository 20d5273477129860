package dev.berth.cli.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * JSON for the CLI: Jackson's tree nodes, never through an ObjectMapper, whose first use costs a
 * CLI run about 55 ms (its default date format initializes the JDK's calendar and locale
 * providers), more than a whole {@code berth ps}; the CLI only ever needs trees. Written with
 * jackson-core's generator; read with Gson's streaming reader, because any jackson-core parser
 * initializes BigDecimal, whose power tables cost another ~20 ms on JDK 25.
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
    return parse(new ByteArrayInputStream(bytes));
  }

  public static JsonNode parse(String text) throws IOException {
    return document(new JsonReader(new StringReader(text)));
  }

  /** One JSON document from a stream, which is read to the end but not closed. */
  public static JsonNode parse(InputStream in) throws IOException {
    return document(new JsonReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
  }

  private static JsonNode document(JsonReader r) throws IOException {
    r.setStrictness(Strictness.STRICT);
    try {
      r.peek();
    } catch (EOFException empty) {
      // Gson's reader calls a document without a value the end of its input.
      return NODES.missingNode();
    }
    JsonNode node = read(r);
    if (r.peek() != JsonToken.END_DOCUMENT) {
      throw new IOException("unexpected content after the JSON document at " + r.getPath());
    }
    return node;
  }

  /**
   * The JSON values one after another in {@code in} (Docker's progress and event streams), each
   * as soon as it is complete. The stream is not closed.
   */
  public static Iterator<JsonNode> values(InputStream in) {
    JsonReader r = new JsonReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    // Only a lenient reader reads more than one top-level value.
    r.setStrictness(Strictness.LENIENT);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          return r.peek() != JsonToken.END_DOCUMENT;
        } catch (EOFException empty) {
          // Gson's reader: a stream that ends before its first value (no events, no progress).
          return false;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public JsonNode next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          return read(r);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /** The value that starts at the reader's next token. */
  private static JsonNode read(JsonReader r) throws IOException {
    JsonToken token = r.peek();
    return switch (token) {
      case BEGIN_OBJECT -> {
        ObjectNode o = NODES.objectNode();
        r.beginObject();
        while (r.hasNext()) {
          String name = r.nextName();
          o.set(name, read(r));
        }
        r.endObject();
        yield o;
      }
      case BEGIN_ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        r.beginArray();
        while (r.hasNext()) {
          a.add(read(r));
        }
        r.endArray();
        yield a;
      }
      case STRING -> NODES.textNode(r.nextString());
      case NUMBER -> number(r.nextString());
      case BOOLEAN -> NODES.booleanNode(r.nextBoolean());
      case NULL -> {
        r.nextNull();
        yield NODES.nullNode();
      }
      default -> throw new IOException("unexpected JSON token " + token + " at " + r.getPath());
    };
  }

  /** The node ObjectMapper would make of a number: int, long, big integer, or double. */
  private static JsonNode number(String literal) {
    boolean integral = literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
    if (!integral) {
      return NODES.numberNode(Double.parseDouble(literal));
    }
    try {
      long value = Long.parseLong(literal);
      return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
    } catch (NumberFormatException tooBig) {
      return NODES.numberNode(new BigInteger(literal));
    }
  }

  /** Compact JSON of a node, or of maps, lists, strings, numbers and booleans made into one. */
  public static String write(Object value) {
    return new String(bytes(value, false), StandardCharsets.UTF_8);
  }

  public static byte[] bytes(Object value) {
    return bytes(value, false);
  }

  /** Indented as the docker CLI's inspect output is read by people. */
  public static String pretty(Object value) {
    return new String(bytes(value, true), StandardCharsets.UTF_8);
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
    // instanceof, not a pattern switch: that generates a class on its first run (SwitchBootstraps).
    if (value == null) {
      return NODES.nullNode();
    } else if (value instanceof JsonNode node) {
      return node;
    } else if (value instanceof String s) {
      return NODES.textNode(s);
    } else if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    } else if (value instanceof Integer i) {
      return NODES.numberNode(i);
    } else if (value instanceof Long l) {
      return NODES.numberNode(l);
    } else if (value instanceof Number n) {
      return NODES.numberNode(n.doubleValue());
    } else if (value instanceof Map<?, ?> map) {
      ObjectNode o = NODES.objectNode();
      map.forEach((k, v) -> o.set(String.valueOf(k), tree(v)));
      return o;
    } else if (value instanceof Iterable<?> items) {
      ArrayNode a = NODES.arrayNode();
      items.forEach(item -> a.add(tree(item)));
      return a;
    }
    throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
  }
}
