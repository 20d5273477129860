package dev.berth.engine.build.dockerfile;

import dev.berth.engine.BerthException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line level of the parser, as moby's/BuildKit's parser.Parse: directives, comments,
 * continuations, heredoc bodies; each instruction becomes a {@link Node}. Nodes are then turned
 * into {@link Instruction}s by {@link Instructions} (moby's instructions.Parse), so a line-level
 * error anywhere is reported before an instruction-level one, as Docker does.
 */
final class DockerfileParser {
  private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
  private static final Set<String> DIRECTIVES = Set.of("escape", "syntax", "check");
  private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)\\s*([^<]*)$");
  private static final Set<String> HEREDOC_INSTRUCTIONS = Set.of("add", "copy", "run");

  /**
   * One instruction before its arguments are interpreted (moby's parser.Node).
   *
   * @param keyword lower case
   * @param flags the leading {@code --flag} words
   * @param args the parser's arguments (JSON array elements, words, key/value pairs flattened)
   * @param json the arguments came from a JSON array
   * @param sub the trigger of an ONBUILD
   */
  record Node(String keyword, List<String> flags, String rest, List<String> args, boolean json, Node sub,
      int line, String original, List<Heredoc> heredocs) {

    Node withHeredocs(List<Heredoc> docs) {
      return new Node(keyword, flags, rest, args, json, sub, line, original, docs);
    }
  }

  private final List<String> lines;
  private int next;
  private char escape = '\\';
  private Pattern continuation = continuationFor('\\');
  private boolean directivesDone;
  private final Set<String> directivesSeen = new HashSet<>();
  private Optional<String> syntax = Optional.empty();
  private final List<String> warnings = new ArrayList<>();
  private boolean emptyContinuationSeen;

  DockerfileParser(String text) {
    this.lines = splitLines(text);
  }

  Dockerfile parse() {
    if (lines.isEmpty()) {
      throw new BerthException.InvalidArgument("the Dockerfile (Dockerfile) cannot be empty");
    }
    List<Node> nodes = nodes();
    if (emptyContinuationSeen) {
      warnings.add("[WARNING]: Empty continuation lines will become errors in a future release.");
    }
    if (syntax.isPresent()) {
      warnings.add("[WARNING]: the syntax directive (# syntax=" + syntax.get() + ") is ignored: Berth builds with"
          + " its built-in Dockerfile frontend");
    }
    if (nodes.isEmpty()) {
      throw new BerthException.InvalidArgument("failed to parse Dockerfile: file with no instructions");
    }
    return Instructions.build(nodes, escape, syntax, warnings);
  }

  /** The instructions as nodes, line by line (moby's parser.Parse). */
  private List<Node> nodes() {
    List<Node> nodes = new ArrayList<>();
    int currentLine = 0;
    while (next < lines.size()) {
      String raw = lines.get(next++);
      if (currentLine == 0 && raw.startsWith("\uFEFF")) {
        raw = raw.substring(1);
      }
      String processed = processLine(raw, true);
      currentLine++;
      int startLine = currentLine;
      String line = processed;
      boolean endOfLine = true;
      Matcher m = continuation.matcher(line);
      if (m.find()) {
        line = withoutContinuation(line, m);
        endOfLine = false;
      }
      if (endOfLine && line.isEmpty()) {
        continue;
      }
      boolean emptyContinuation = false;
      StringBuilder joined = new StringBuilder(line);
      while (!endOfLine && next < lines.size()) {
        String rawNext = lines.get(next++);
        String p = processLine(rawNext, false);
        currentLine++;
        if (isComment(rawNext)) {
          continue;
        }
        if (Words.trimLeft(trimNewline(rawNext)).isEmpty()) {
          emptyContinuation = true;
          continue;
        }
        Matcher mc = continuation.matcher(p);
        if (mc.find()) {
          joined.append(withoutContinuation(p, mc));
        } else {
          joined.append(p);
          endOfLine = true;
        }
      }
      line = joined.toString();
      if (emptyContinuation) {
        emptyContinuationSeen = true;
        warnings.add("[WARNING]: Empty continuation line found in:\n    " + line);
      }
      Node node = nodeFromLine(line, startLine);
      if (canContainHeredoc(node) && line.contains("<<")) {
        List<Heredoc> docs = new ArrayList<>();
        for (Heredoc opened : heredocsFromLine(line)) {
          StringBuilder content = new StringBuilder();
          boolean terminated = false;
          while (next < lines.size()) {
            String body = lines.get(next++);
            currentLine++;
            String candidate = trimNewline(body);
            if (opened.chompTabs()) {
              candidate = candidate.replaceFirst("^\t+", "");
            }
            if (candidate.equals(opened.name())) {
              terminated = true;
              break;
            }
            content.append(body);
          }
          if (!terminated) {
            throw Instructions.lineError(startLine, "unterminated heredoc");
          }
          String text = opened.chompTabs() ? content.toString().replaceAll("(?m)^\t+", "") : content.toString();
          docs.add(new Heredoc(opened.name(), text, opened.expand(), opened.chompTabs()));
        }
        node = node.withHeredocs(docs);
      }
      nodes.add(node);
    }
    return nodes;
  }

  /** One instruction read alone (an ONBUILD trigger from an image config), as a one-line Dockerfile. */
  static Instruction parseOne(String text) {
    DockerfileParser parser = new DockerfileParser(text);
    parser.directivesDone = true; // a trigger is never a directive
    List<Node> nodes = parser.nodes();
    if (nodes.size() != 1) {
      throw new BerthException.InvalidArgument("an ONBUILD trigger must be one instruction, not " + nodes.size()
          + ": \"" + text + "\"");
    }
    return Instructions.instruction(nodes.getFirst());
  }

  /** processLine: newline (and CR) removed, left-trimmed for a first line, directives noted. */
  private String processLine(String raw, boolean stripLeft) {
    String token = trimNewline(raw);
    if (stripLeft) {
      token = Words.trimLeft(token);
    }
    possibleDirective(token);
    return isComment(token) ? "" : token;
  }

  private void possibleDirective(String line) {
    if (directivesDone) {
      return;
    }
    Matcher m = DIRECTIVE.matcher(line);
    if (!m.matches()) {
      directivesDone = true;
      return;
    }
    String key = m.group(1).toLowerCase(Locale.ROOT);
    if (!DIRECTIVES.contains(key)) {
      directivesDone = true;
      return;
    }
    if (!directivesSeen.add(key)) {
      throw Instructions.parserError("only one " + key + " parser directive can be used");
    }
    String value = m.group(2);
    switch (key) {
      case "escape" -> {
        if (!value.equals("`") && !value.equals("\\")) {
          throw Instructions.parserError("invalid escape token '" + value + "' does not match ` or \\");
        }
        escape = value.charAt(0);
        continuation = continuationFor(escape);
      }
      case "syntax" -> syntax = Optional.of(value);
      default -> warnings.add("[WARNING]: the " + key + " directive is ignored by Berth's builder");
    }
  }

  /**
   * moby's line continuation: the escape character, then only blanks, at the end of a line, either
   * alone or after a character that is not the escape (so a line ending in {@code \\\\} continues
   * nothing, as in Docker).
   */
  private static Pattern continuationFor(char escape) {
    String e = Pattern.quote(String.valueOf(escape));
    String notEscape = escape == '\\' ? "[^\\\\]" : "[^`]";
    return Pattern.compile("(" + notEscape + ")" + e + "[ \\t]*$|^" + e + "[ \\t]*$");
  }

  /** The line without its continuation mark (what Go's ReplaceAllString(line, "$1") leaves). */
  private static String withoutContinuation(String line, Matcher m) {
    return m.group(1) == null ? "" : line.substring(0, m.end(1));
  }

  private static boolean isComment(String line) {
    return Words.trimLeft(trimNewline(line)).startsWith("#");
  }

  private static String trimNewline(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  /** Lines with their line ends (a heredoc's content keeps them). */
  private static List<String> splitLines(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  /** newNodeFromLine: keyword, flags, and the arguments as the keyword's line parser reads them. */
  Node nodeFromLine(String line, int lineNumber) {
    String trimmed = Words.trim(line);
    String[] parts = Words.WHITESPACE.split(trimmed, 2);
    String keyword = parts[0].toLowerCase(Locale.ROOT);
    Words.Flagged flagged = parts.length == 2 ? Words.extractFlags(parts[1]) : new Words.Flagged(List.of(), "");
    List<String> flags = flagged.flags();
    String rest = Words.trim(flagged.rest());
    List<String> args = List.of();
    boolean json = false;
    Node sub = null;
    switch (keyword) {
      case "add", "copy", "volume" -> {
        Optional<List<String>> array = JsonArgs.parse(rest);
        json = array.isPresent();
        args = array.orElseGet(() -> Words.whitespaceDelimited(rest));
      }
      case "cmd", "entrypoint", "run", "shell" -> {
        if (!rest.isEmpty()) {
          Optional<List<String>> array = JsonArgs.parse(rest);
          json = array.isPresent();
          args = array.orElseGet(() -> List.of(rest));
        }
      }
      case "healthcheck" -> {
        int sep = 0;
        while (sep < rest.length() && !Words.isSpace(rest.charAt(sep))) {
          sep++;
        }
        if (sep > 0) {
          String type = rest.substring(0, sep);
          String command = Words.trimLeft(rest.substring(sep));
          List<String> all = new ArrayList<>();
          all.add(type);
          if (!command.isEmpty()) {
            Optional<List<String>> array = JsonArgs.parse(command);
            json = array.isPresent();
            all.addAll(array.orElseGet(() -> List.of(command)));
          }
          args = all;
        }
      }
      case "arg" -> args = Words.parseWords(rest, escape);
      case "env", "label" -> args = nameValues(rest, keyword.toUpperCase(Locale.ROOT));
      case "expose", "from" -> args = Words.whitespaceDelimited(rest);
      case "maintainer", "stopsignal", "user", "workdir" -> args = rest.isEmpty() ? List.of() : List.of(rest);
      case "onbuild" -> {
        if (!rest.isEmpty()) {
          sub = nodeFromLine(rest, lineNumber);
        }
      }
      default -> {
        // an unknown keyword is reported by the instruction level, as Docker does
      }
    }
    return new Node(keyword, flags, rest, args, json, sub, lineNumber, line, List.of());
  }

  /** parseNameVal: {@code KEY name value} (legacy, one pair) or {@code KEY a=b c=d}, flattened. */
  private List<String> nameValues(String rest, String keyword) {
    List<String> words = Words.parseWords(rest, escape);
    if (words.isEmpty()) {
      return List.of();
    }
    if (!words.getFirst().contains("=")) {
      String[] parts = Words.WHITESPACE.split(rest, 2);
      if (parts.length < 2) {
        throw Instructions.parserError(keyword + " must have two arguments");
      }
      return List.of(parts[0], parts[1]);
    }
    List<String> pairs = new ArrayList<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq < 0) {
        throw Instructions.parserError(
            "Syntax error - can't find = in \"" + word + "\". Must be of the form: name=value");
      }
      pairs.add(word.substring(0, eq));
      pairs.add(word.substring(eq + 1));
    }
    return pairs;
  }

  private static boolean canContainHeredoc(Node node) {
    Node target = node.keyword().equals("onbuild") && node.sub() != null ? node.sub() : node;
    return HEREDOC_INSTRUCTIONS.contains(target.keyword()) && !target.json();
  }

  /** heredocsFromLine: every word of the line that is {@code <<NAME}, {@code <<-NAME}, {@code <<"NAME"}. */
  private static List<Heredoc> heredocsFromLine(String line) {
    List<String> words;
    try {
      words = Expander.lexer(true, true, true, true).expandWords(line, Map.of());
    } catch (BerthException.InvalidArgument e) {
      return List.of(); // BuildKit ignores a line its lexer cannot split
    }
    List<Heredoc> docs = new ArrayList<>();
    for (String word : words) {
      heredoc(word).ifPresent(docs::add);
    }
    return docs;
  }

  /** A heredoc word's name, or empty if the word is not one; content is filled in later. */
  static Optional<Heredoc> heredoc(String word) {
    Matcher m = HEREDOC.matcher(word);
    if (!m.matches() || m.group(3).isEmpty()) {
      return Optional.empty();
    }
    boolean chomp = m.group(2).equals("-");
    String rest = m.group(3);
    List<String> plain;
    List<String> raw;
    try {
      plain = Expander.lexer(false, false, true, false).expandWords(rest, Map.of());
      raw = Expander.lexer(true, false, true, false).expandWords(rest, Map.of());
    } catch (BerthException.InvalidArgument e) {
      throw Instructions.parserError(e.getMessage());
    }
    if (plain.size() != 1 || raw.size() != 1) {
      return Optional.empty();
    }
    String name = plain.getFirst();
    boolean expand = quotes(name) == quotes(raw.getFirst());
    return Optional.of(new Heredoc(name, "", expand, chomp));
  }

  private static long quotes(String s) {
    return s.chars().filter(c -> c == '\'' || c == '"').count();
  }
}
