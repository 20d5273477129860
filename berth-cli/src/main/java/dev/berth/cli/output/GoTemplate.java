package dev.berth.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.berth.cli.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The subset of Go's text/template that docker's {@code --format} users rely on, evaluated over
 * JSON: text, {@code {{.Field.Sub}}}, {@code {{.}}}, pipelines with {@code |}, and the functions
 * json, index, join, upper, lower, title, println. No Java library implements Go templates
 * (the two on record are not on Maven Central), so this small one is ours. Objects and arrays
 * print as JSON where Go would print its map syntax.
 */
public final class GoTemplate {

  private sealed interface Node permits Text, Action {}

  private record Text(String text) implements Node {}

  /** One {{...}}: commands joined by |, each a list of arguments. */
  private record Action(List<List<String>> commands) implements Node {}

  private final List<Node> nodes;

  private GoTemplate(List<Node> nodes) {
    this.nodes = nodes;
  }

  /** Parses {@code source}; docker's two-character escapes \t and \n become tab and newline. */
  public static GoTemplate parse(String source) {
    String s = source.replace("\\t", "\t").replace("\\n", "\n");
    List<Node> nodes = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int open = s.indexOf("{{", i);
      if (open < 0) {
        nodes.add(new Text(s.substring(i)));
        break;
      }
      int close = s.indexOf("}}", open + 2);
      if (close < 0) {
        throw new IllegalArgumentException("template parsing error: unclosed action in \"" + source + "\"");
      }
      String text = s.substring(i, open);
      String inner = s.substring(open + 2, close);
      if (inner.startsWith("-")) {
        text = text.stripTrailing();
        inner = inner.substring(1);
      }
      boolean trimAfter = inner.endsWith("-");
      if (trimAfter) {
        inner = inner.substring(0, inner.length() - 1);
      }
      if (!text.isEmpty()) {
        nodes.add(new Text(text));
      }
      nodes.add(new Action(commands(inner.strip(), source)));
      i = close + 2;
      if (trimAfter) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
          i++;
        }
      }
    }
    return new GoTemplate(nodes);
  }

  private static List<List<String>> commands(String inner, String source) {
    if (inner.isEmpty()) {
      throw new IllegalArgumentException("template parsing error: empty action in \"" + source + "\"");
    }
    List<List<String>> commands = new ArrayList<>();
    List<String> current = new ArrayList<>();
    int i = 0;
    while (i < inner.length()) {
      char c = inner.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '|') {
        commands.add(current);
        current = new ArrayList<>();
        i++;
      } else if (c == '"') {
        int end = i + 1;
        StringBuilder lit = new StringBuilder("\"");
        while (end < inner.length() && inner.charAt(end) != '"') {
          if (inner.charAt(end) == '\\' && end + 1 < inner.length()) {
            end++;
          }
          lit.append(inner.charAt(end));
          end++;
        }
        if (end >= inner.length()) {
          throw new IllegalArgumentException("template parsing error: unterminated string in \"" + source + "\"");
        }
        current.add(lit.toString());
        i = end + 1;
      } else {
        int end = i;
        while (end < inner.length() && !Character.isWhitespace(inner.charAt(end)) && inner.charAt(end) != '|') {
          end++;
        }
        current.add(inner.substring(i, end));
        i = end;
      }
    }
    commands.add(current);
    for (List<String> command : commands) {
      if (command.isEmpty()) {
        throw new IllegalArgumentException("template parsing error: missing command in \"" + source + "\"");
      }
    }
    return commands;
  }

  /** Renders the template with {@code data} as the dot. */
  public String execute(JsonNode data) {
    StringBuilder out = new StringBuilder();
    for (Node node : nodes) {
      switch (node) {
        case Text t -> out.append(t.text());
        case Action a -> out.append(print(run(a, data)));
      }
    }
    return out.toString();
  }

  /** The field names the template reads at top level, in order (for table headers). */
  public List<String> topLevelFields() {
    List<String> fields = new ArrayList<>();
    for (Node node : nodes) {
      if (node instanceof Action a) {
        for (List<String> command : a.commands()) {
          for (String arg : command) {
            if (arg.startsWith(".") && arg.length() > 1) {
              fields.add(arg.substring(1).split("\\.")[0]);
            }
          }
        }
      }
    }
    return fields;
  }

  private static JsonNode run(Action action, JsonNode dot) {
    JsonNode piped = null;
    for (List<String> command : action.commands()) {
      List<JsonNode> args = new ArrayList<>();
      String head = command.getFirst();
      boolean isFunction = !head.startsWith(".") && !head.startsWith("\"");
      for (String arg : isFunction ? command.subList(1, command.size()) : command) {
        args.add(value(arg, dot));
      }
      if (piped != null) {
        args.add(piped);
      }
      piped = isFunction ? call(head, args) : single(args, head);
    }
    return piped;
  }

  private static JsonNode single(List<JsonNode> args, String head) {
    if (args.size() != 1) {
      throw new IllegalArgumentException("template: can't give arguments to non-function " + head);
    }
    return args.getFirst();
  }

  private static JsonNode value(String token, JsonNode dot) {
    if (token.startsWith("\"")) {
      return TextNode.valueOf(token.substring(1));
    }
    if (token.equals(".")) {
      return dot;
    }
    if (token.startsWith(".")) {
      JsonNode node = dot;
      for (String part : token.substring(1).split("\\.")) {
        node = node == null ? MissingNode.getInstance() : node.path(part);
      }
      return node;
    }
    throw new IllegalArgumentException("template: function \"" + token + "\" not defined");
  }

  private static JsonNode call(String function, List<JsonNode> args) {
    return switch (function) {
      case "json" -> TextNode.valueOf(toJson(arg(function, args, 0)));
      case "upper" -> TextNode.valueOf(print(arg(function, args, 0)).toUpperCase(Locale.ROOT));
      case "lower" -> TextNode.valueOf(print(arg(function, args, 0)).toLowerCase(Locale.ROOT));
      case "title" -> {
        String s = print(arg(function, args, 0));
        yield TextNode.valueOf(s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1));
      }
      case "println" -> {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
          sb.append(i == 0 ? "" : " ").append(print(args.get(i)));
        }
        yield TextNode.valueOf(sb.append('\n').toString());
      }
      case "index" -> {
        JsonNode target = arg(function, args, 0);
        JsonNode key = arg(function, args, 1);
        yield target.isArray() ? target.path(key.asInt()) : target.path(key.asText());
      }
      case "join" -> {
        JsonNode list = arg(function, args, 0);
        String sep = print(arg(function, args, 1));
        List<String> parts = new ArrayList<>();
        list.forEach(n -> parts.add(print(n)));
        yield TextNode.valueOf(String.join(sep, parts));
      }
      default -> throw new IllegalArgumentException("template: function \"" + function + "\" not defined");
    };
  }

  private static JsonNode arg(String function, List<JsonNode> args, int i) {
    if (i >= args.size()) {
      throw new IllegalArgumentException("template: wrong number of args for " + function);
    }
    return args.get(i);
  }

  private static String print(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "<no value>";
    }
    if (node.isNull()) {
      return "<nil>";
    }
    if (node.isValueNode()) {
      return node.asText();
    }
    return toJson(node);
  }

  private static String toJson(JsonNode node) {
    return node == null || node.isMissingNode() ? "null" : Json.write(node);
  }
}
