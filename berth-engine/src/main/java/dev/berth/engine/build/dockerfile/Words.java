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
    List<String> words = new ArrayList<>();
    final int inSpaces = 0;
    final int inWord = 1;
    final int inQuote = 2;
    int phase = inSpaces;
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean blankOk = false;
    int n = rest.length();
    for (int pos = 0; pos <= n; pos++) {
      char ch = pos < n ? rest.charAt(pos) : 0;
      if (phase == inSpaces) {
        if (pos == n) {
          break;
        }
        if (isSpace(ch)) {
          continue;
        }
        phase = inWord;
      }
      if (pos == n) {
        if (blankOk || !word.isEmpty()) {
          words.add(word.toString());
        }
        break;
      }
      if (phase == inWord) {
        if (isSpace(ch)) {
          phase = inSpaces;
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
          phase = inQuote;
        }
        if (ch == escape) {
          if (pos + 1 == n) {
            continue; // an escape at the end is dropped
          }
          word.append(ch);
          pos++;
          ch = rest.charAt(pos);
        }
        word.append(ch);
        continue;
      }
      // inQuote
      if (ch == quote) {
        phase = inWord;
      }
      if (ch == escape && quote != '\'') {
        if (pos + 1 == n) {
          phase = inWord;
          continue;
        }
        pos++;
        word.append(ch);
        ch = rest.charAt(pos);
      }
      word.append(ch);
    }
    return words;
  }

  /** The leading {@code --flag[=value]} words of an instruction and the text after them. */
  record Flagged(List<String> flags, String rest) {}

  /** extractBuilderFlags: leading words starting with {@code --}; {@code --} alone ends them. */
  static Flagged extractFlags(String line) {
    List<String> words = new ArrayList<>();
    final int inSpaces = 0;
    final int inWord = 1;
    final int inQuote = 2;
    int phase = inSpaces;
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean blankOk = false;
    int n = line.length();
    for (int pos = 0; pos <= n; pos++) {
      char ch = pos < n ? line.charAt(pos) : 0;
      if (phase == inSpaces) {
        if (pos == n) {
          break;
        }
        if (isSpace(ch)) {
          continue;
        }
        if (ch != '-' || pos + 1 == n || line.charAt(pos + 1) != '-') {
          return new Flagged(words, line.substring(pos));
        }
        phase = inWord;
      }
      if (pos == n) {
        if (!word.toString().equals("--") && (blankOk || !word.isEmpty())) {
          words.add(word.toString());
        }
        break;
      }
      if (phase == inWord) {
        if (isSpace(ch)) {
          phase = inSpaces;
          if (word.toString().equals("--")) {
            return new Flagged(words, line.substring(pos));
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
          phase = inQuote;
          continue;
        }
        if (ch == '\\') {
          if (pos + 1 == n) {
            continue;
          }
          pos++;
          ch = line.charAt(pos);
        }
        word.append(ch);
        continue;
      }
      // inQuote
      if (ch == quote) {
        phase = inWord;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == n) {
          phase = inWord;
          continue;
        }
        pos++;
        ch = line.charAt(pos);
      }
      word.append(ch);
    }
    return new Flagged(words, "");
  }
}
