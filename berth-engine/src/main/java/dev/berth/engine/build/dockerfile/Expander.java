package dev.berth.engine.build.dockerfile;

import dev.berth.engine.BerthException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's word expansion (moby's shell lexer, {@code shell/lex.go}) for the instructions in
 * {@link #EXPANDED_INSTRUCTIONS}: {@code $V}, {@code ${V}}, {@code ${V:-word}}, {@code ${V:+word}},
 * {@code ${V-word}}, {@code ${V+word}}, {@code ${V:?msg}}, {@code ${V?msg}}; single quotes keep
 * everything literal; double quotes keep all but {@code $} and escapes of {@code " $} and the
 * escape character; the escape character outside quotes makes the next character literal
 * ({@code \$V} is {@code $V}). Quotes are removed. Unknown variables expand to nothing.
 *
 * <p>The forms without a colon ({@code -}, {@code +}, {@code ?}) follow BuildKit; dockerd
 * 20.10's classic builder rejects them ("missing ':' in substitution"). See docs/decisions/0100.
 */
public final class Expander {

  /**
   * The instructions whose words Docker expands with the build's ARG and ENV values. What each
   * expands: ADD/COPY sources, destination, {@code --chown}, {@code --chmod} (and BuildKit's
   * COPY {@code --from}) and heredoc content when {@link Heredoc#expand()}; ENV and LABEL keys
   * and values; ARG default values; EXPOSE ports, with {@link #expandWords} (one word may become
   * several, as {@code EXPOSE $PORTS}); FROM's image, with the global ARGs only; STOPSIGNAL,
   * USER, VOLUME paths, WORKDIR. RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD and
   * MAINTAINER are never expanded by the builder.
   */
  public static final Set<String> EXPANDED_INSTRUCTIONS =
      Set.of("ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");

  /** The expander for the default escape character {@code \}. */
  public static final Expander DEFAULT = new Expander('\\');

  private final char escape;
  private final boolean rawQuotes;
  private final boolean rawEscapes;
  private final boolean skipUnset;
  private final boolean heredocWords;

  /** An expander for a Dockerfile's escape character ({@link Dockerfile#escape()}). */
  public Expander(char escape) {
    this(escape, false, false, false, false);
  }

  private Expander(char escape, boolean rawQuotes, boolean rawEscapes, boolean skipUnset, boolean heredocWords) {
    this.escape = escape;
    this.rawQuotes = rawQuotes;
    this.rawEscapes = rawEscapes;
    this.skipUnset = skipUnset;
    this.heredocWords = heredocWords;
  }

  /** The escape character this expander uses. */
  public char escape() {
    return escape;
  }

  /** True when Docker expands the words of the instruction with this keyword. */
  public static boolean expands(Instruction instruction) {
    return EXPANDED_INSTRUCTIONS.contains(instruction.keyword());
  }

  /**
   * Expands one word into one string (moby's ProcessWord): quotes removed, variables replaced,
   * spaces kept.
   *
   * @throws BerthException.InvalidArgument for a bad substitution, in Docker's words
   */
  public String expand(String word, Map<String, String> vars) {
    return new Lexer(word, vars).process().word();
  }

  /**
   * Expands and splits into words (moby's ProcessWords): split on unquoted blanks after
   * expansion, so a variable holding {@code "80 443"} gives two words; quoted blanks stay.
   */
  public List<String> expandWords(String word, Map<String, String> vars) {
    return new Lexer(word, vars).process().words();
  }

  /**
   * BuildKit's lexer as its heredoc detection uses it: quotes, escapes and unknown variables
   * kept as written; with {@code heredocWords}, {@code << EOF} stays one word.
   */
  static Expander lexer(boolean rawQuotes, boolean rawEscapes, boolean skipUnset, boolean heredocWords) {
    return new Expander('\\', rawQuotes, rawEscapes, skipUnset, heredocWords);
  }

  private record Result(String word, List<String> words) {}

  /** Words as moby's wordsStruct builds them. */
  private static final class WordsBuilder {
    private final List<String> words = new ArrayList<>();
    private final StringBuilder word = new StringBuilder();
    private boolean inWord;

    void addChar(int ch) {
      if (Words.isSpace(ch) && inWord) {
        if (!word.isEmpty()) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else if (!Words.isSpace(ch)) {
        addRawChar(ch);
      }
    }

    void addRawChar(int ch) {
      word.appendCodePoint(ch);
      inWord = true;
    }

    void addString(String s) {
      s.codePoints().forEach(this::addChar);
    }

    void addRawString(String s) {
      word.append(s);
      inWord = true;
    }

    List<String> words() {
      if (!word.isEmpty()) {
        words.add(word.toString());
        word.setLength(0);
        inWord = false;
      }
      return List.copyOf(words);
    }
  }

  private final class Lexer {
    private static final int EOF = -1;
    private final String source;
    private final Map<String, String> vars;
    private int pos;

    Lexer(String source, Map<String, String> vars) {
      this.source = source;
      this.vars = vars;
    }

    private int peek() {
      return pos < source.length() ? source.codePointAt(pos) : EOF;
    }

    private int next() {
      if (pos >= source.length()) {
        return EOF;
      }
      int ch = source.codePointAt(pos);
      pos += Character.charCount(ch);
      return ch;
    }

    Result process() {
      try {
        return processStopOn(EOF);
      } catch (SyntaxError e) {
        throw new BerthException.InvalidArgument("failed to process \"" + source + "\": " + e.getMessage());
      }
    }

    private Result processStopOn(int stop) {
      StringBuilder result = new StringBuilder();
      WordsBuilder words = new WordsBuilder();
      while (peek() != EOF) {
        int ch = peek();
        if (stop != EOF && ch == stop) {
          next();
          return new Result(result.toString(), words.words());
        }
        if (heredocWords && ch == '<') {
          words.addRawString(possibleHeredoc(result));
          continue;
        }
        if (ch == '\'' || ch == '"' || ch == '$') {
          String tmp = ch == '\'' ? singleQuote() : ch == '"' ? doubleQuote() : dollar();
          result.append(tmp);
          if (ch == '$') {
            words.addString(tmp);
          } else {
            words.addRawString(tmp);
          }
          continue;
        }
        ch = next();
        if (ch == escape) {
          if (rawEscapes) {
            words.addRawString(String.valueOf(escape));
            result.append(escape);
          }
          ch = next();
          if (ch == EOF) {
            break;
          }
          words.addRawChar(ch);
        } else {
          words.addChar(ch);
        }
        result.appendCodePoint(ch);
      }
      if (stop != EOF) {
        throw new SyntaxError("unexpected end of statement while looking for matching " + Character.toString(stop));
      }
      return new Result(result.toString(), words.words());
    }

    /** {@code <<} and the blanks after it, kept with the word that follows (BuildKit's processPossibleHeredoc). */
    private String possibleHeredoc(StringBuilder result) {
      next();
      StringBuilder token = new StringBuilder("<");
      if (peek() == '<') {
        next();
        token.append('<');
        while (peek() == ' ' || peek() == '\t') {
          token.appendCodePoint(next());
        }
      }
      result.append(token);
      return token.toString();
    }

    private String singleQuote() {
      StringBuilder result = new StringBuilder();
      next();
      if (rawQuotes) {
        result.append('\'');
      }
      while (true) {
        int ch = next();
        if (ch == EOF) {
          throw new SyntaxError("unexpected end of statement while looking for matching single-quote");
        }
        if (ch == '\'') {
          if (rawQuotes) {
            result.append('\'');
          }
          return result.toString();
        }
        result.appendCodePoint(ch);
      }
    }

    private String doubleQuote() {
      StringBuilder result = new StringBuilder();
      next();
      if (rawQuotes) {
        result.append('"');
      }
      while (true) {
        int ch = peek();
        if (ch == EOF) {
          throw new SyntaxError("unexpected end of statement while looking for matching double-quote");
        }
        if (ch == '"') {
          next();
          if (rawQuotes) {
            result.append('"');
          }
          return result.toString();
        }
        if (ch == '$') {
          result.append(dollar());
          continue;
        }
        ch = next();
        if (ch == escape) {
          if (rawEscapes) {
            result.appendCodePoint(ch);
          }
          int following = peek();
          if (following == EOF) {
            continue; // an escape at the very end is dropped
          }
          if (following == '"' || following == '$' || following == escape) {
            ch = next();
          } else if (rawEscapes) {
            continue;
          }
        }
        result.appendCodePoint(ch);
      }
    }

    private String dollar() {
      next();
      if (peek() != '{') {
        String name = name();
        if (name.isEmpty()) {
          return "$";
        }
        if (!vars.containsKey(name) && skipUnset) {
          return "$" + name;
        }
        return vars.getOrDefault(name, "");
      }
      next();
      int first = peek();
      if (first == EOF) {
        throw new SyntaxError("syntax error: missing '}'");
      }
      if (first == '{' || first == '}' || first == ':') {
        throw new SyntaxError("syntax error: bad substitution");
      }
      String name = name();
      int ch = next();
      if (ch == '}') {
        if (!vars.containsKey(name) && skipUnset) {
          return "${" + name + "}";
        }
        return vars.getOrDefault(name, "");
      }
      boolean nullIsUnset = ch == ':';
      if (!nullIsUnset && ch != '-' && ch != '+' && ch != '?') {
        throw new SyntaxError("missing ':' in substitution");
      }
      int op = nullIsUnset ? next() : ch;
      String modifier = (nullIsUnset ? ":" : "") + (op == EOF ? "" : Character.toString(op));
      // the word is read before the modifier is judged, so "${V:=x" reports the missing '}'
      String word;
      try {
        word = processStopOn('}').word();
      } catch (SyntaxError e) {
        if (peek() == EOF) {
          throw new SyntaxError("syntax error: missing '}'");
        }
        throw e;
      }
      if (op != '-' && op != '+' && op != '?') {
        String shown = op == EOF ? "" : Character.toString(op);
        throw new SyntaxError("unsupported modifier (" + shown + ") in substitution");
      }
      boolean set = vars.containsKey(name);
      String value = vars.getOrDefault(name, "");
      if (!set && skipUnset) {
        return "${" + name + modifier + word + "}";
      }
      boolean absent = !set || (nullIsUnset && value.isEmpty());
      return switch (op) {
        case '-' -> absent ? word : value;
        case '+' -> absent ? "" : word;
        default -> {
          if (!set) {
            throw new SyntaxError(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
          }
          if (nullIsUnset && value.isEmpty()) {
            throw new SyntaxError(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
          }
          yield value;
        }
      };
    }

    /** A name (letters, digits, _), a run of digits ($1), or one special parameter ($@, $#...). */
    private String name() {
      StringBuilder name = new StringBuilder();
      while (peek() != EOF) {
        int ch = peek();
        if (name.isEmpty() && Character.isDigit(ch)) {
          while (peek() != EOF && Character.isDigit(peek())) {
            name.appendCodePoint(next());
          }
          return name.toString();
        }
        if (name.isEmpty() && "@*#?-$!0".indexOf(ch) >= 0) {
          return Character.toString(next());
        }
        if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
          break;
        }
        name.appendCodePoint(next());
      }
      return name.toString();
    }
  }

  private static final class SyntaxError extends RuntimeException {
    SyntaxError(String message) {
      super(message, null, false, false);
    }
  }
}
