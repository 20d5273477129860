package dev.berth.engine.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The parser's word splitting, as moby's parser (line_parsers.go) does it: quotes and escapes kept. */
final class Words {
  /** Go's {@code [\t\v\f\r ]+}. */
  static final Pattern WHITESPACE = Pattern.compile("[\\t\\x0B\\f\\r ]+");

  private Words() {}

  /** Go's unicode.IsSpace for the characters a Dockerfile can hold. */
  static boolean isSpace(int ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\u000B' || ch == '\f' || ch == '\r' || ch == 0x85
        || ch == 0xA0 || Character.isSpaceChar(ch);
  }

  /** Go's strings.TrimSpace. */
  static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  static String trimLeft(String s) {
    int start = 0;
    while (start < s.length() && isSpace(s.charAt(start))) {
      start++;
    }
    return s.substring(start);
  }

  /** parseStringsWhitespaceDelimited: the (trimmed) text split on blanks; nothing for "". */
  static List<String> whitespaceDelimited(String rest) {
    if (rest.isEmpty()) {
      return List.of();
    }
    return List.of(WHITESPACE.split(rest, -1));
  }

  /**
   * parseWords: words separated by blanks; quotes group, and they and the escape character stay
   * in the word (expansion removes them later).
   */
  static List<String> parseWords(String rest, char escape) {
    return scan(rest, escape, false).flags();
  }

  /** The leading {@code --flag[=value]} words of an instruction and the text after them. */
  record Flagged(List<String> flags, String rest) {}

  /** extractBuilderFlags: leading words starting with {@code --}; {@code --} alone ends them. */
  static Flagged extractFlags(String line) {
    return scan(line, '\\', true);
  }

  private static final int IN_SPACES = 0;
  private static final int IN_WORD = 1;
  private static final int IN_QUOTE = 2;

  /**
   * The word splitter moby writes twice (parseWords and extractBuilderFlags), once. Without
   * {@code flags} it splits all of {@code text}, keeping quotes and escape characters in the
   * words, and single quotes escape nothing. With {@code flags} it takes only the leading words
   * that start with {@code --} (a lone {@code --} ends them and is dropped) and returns the text
   * after them too; quotes and escape characters are removed, and {@code escape} escapes inside
   * single quotes as well.
   */
  private static Flagged scan(String text, char escape, boolean flags) {
    boolean keepQuoting = !flags;
    List<String> words = new ArrayList<>();
    int phase = IN_SPACES;
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean blankOk = false;
    int n = text.length();
    for (int pos = 0; pos <= n; pos++) {
      char ch = pos < n ? text.charAt(pos) : 0;
      if (phase == IN_SPACES) {
        if (pos == n) {
          break;
        }
        if (isSpace(ch)) {
          continue;
        }
        if (flags && (ch != '-' || pos + 1 == n || text.charAt(pos + 1) != '-')) {
          return new Flagged(words, text.substring(pos));
        }
        phase = IN_WORD;
      }
      if (pos == n) {
        if (!(flags && isDashDash(word)) && (blankOk || !word.isEmpty())) {
          words.add(word.toString());
        }
        break;
      }
      if (phase == IN_WORD) {
        if (isSpace(ch)) {
          phase = IN_SPACES;
          if (flags && isDashDash(word)) {
            return new Flagged(words, text.substring(pos));
          }
          if (blankOk || !word.isEmpty()) {
            words.add(word.toString());
          }
          word.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = IN_QUOTE;
          if (!keepQuoting) {
            continue;
          }
        }
        if (ch == escape) {
          if (pos + 1 == n) {
            continue; // an escape at the end is dropped
          }
          if (keepQuoting) {
            word.append(ch);
          }
          pos++;
          ch = text.charAt(pos);
        }
        word.append(ch);
        continue;
      }
      // IN_QUOTE
      if (ch == quote) {
        phase = IN_WORD;
        if (!keepQuoting) {
          continue;
        }
      }
      if (ch == escape && (flags || quote != '\'')) {
        if (pos + 1 == n) {
          phase = IN_WORD;
          continue;
        }
        if (keepQuoting) {
          word.append(ch);
        }
        pos++;
        ch = text.charAt(pos);
      }
      word.append(ch);
    }
    return new Flagged(words, "");
  }

  private static boolean isDashDash(StringBuilder word) {
    return word.length() == 2 && word.charAt(0) == '-' && word.charAt(1) == '-';
  }
}
