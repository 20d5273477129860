package dev.berth.cli.build;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .dockerignore} as the docker CLI reads and matches it (moby's {@code dockerignore}
 * and {@code fileutils.PatternMatcher}): one pattern a line, {@code #} comments, {@code !}
 * exceptions, {@code *} and {@code ?} within one path element, {@code **} across elements; the
 * last matching pattern decides, and a pattern matching a parent directory matches what is in
 * it. The daemon has the same rules in the engine ({@code build.context.DockerIgnore});
 * {@code DockerIgnoreCorpusTest} holds both to the same recorded cases (decision 0250).
 */
public final class DockerIgnore {
  private record Rule(String pattern, boolean exception, Pattern regex) {}

  private final List<Rule> rules;

  private DockerIgnore(List<Rule> rules) {
    this.rules = rules;
  }

  public static DockerIgnore parse(String text) {
    List<Rule> rules = new ArrayList<>();
    for (String line : text.split("\n")) {
      String p = line.strip();
      if (p.isEmpty() || p.startsWith("#")) {
        continue;
      }
      boolean exception = p.startsWith("!");
      if (exception) {
        p = p.substring(1).strip();
      }
      p = clean(p);
      if (p.length() > 1 && p.startsWith("/")) {
        p = p.substring(1);
      }
      rules.add(new Rule(p, exception, Pattern.compile(regex(p))));
    }
    return new DockerIgnore(rules);
  }

  public static DockerIgnore none() {
    return new DockerIgnore(List.of());
  }

  /**
   * True when {@code relativePath} (slash-separated, relative to the context) is left out, as
   * the docker CLI's walk decides it ({@code MatchesUsingParentResults}, one level at a time):
   * a pattern that matched a parent matches what is under it, and a pattern is only evaluated
   * when it could change the answer (an exception only after a match), which is why
   * {@code "**"} then {@code "!**}{@code /*.txt"} keeps only the top level's .txt files.
   */
  public boolean excluded(String relativePath) {
    String file = clean(relativePath);
    if (file.equals(".")) {
      return false;
    }
    String[] parts = file.split("/");
    boolean[] parentMatched = null; // the top level has no parent results
    boolean matched = false;
    String path = "";
    for (String part : parts) {
      path = path.isEmpty() ? part : path + "/" + part;
      boolean[] now = new boolean[rules.size()];
      matched = false;
      for (int i = 0; i < rules.size(); i++) {
        Rule r = rules.get(i);
        boolean match = parentMatched != null && parentMatched[i];
        if (!match) {
          if (r.exception != matched) {
            continue; // cannot change the answer
          }
          match = r.regex.matcher(path).matches();
        }
        now[i] = match;
        if (match) {
          matched = !r.exception;
        }
      }
      parentMatched = now;
    }
    return matched;
  }

  /**
   * Whether the walk enters an excluded directory: only when an exception's pattern starts with
   * it (docker's shortcut: {@code dir} then {@code !dir/keep} enters dir; {@code !**}{@code /x} does not).
   */
  public boolean mayIncludeUnder(String dir) {
    String prefix = clean(dir) + "/";
    for (Rule r : rules) {
      if (r.exception && (r.pattern + "/").startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** Go's filepath.Clean for slash paths. */
  static String clean(String path) {
    boolean rooted = path.startsWith("/");
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty() && !out.getLast().equals("..")) {
          out.removeLast();
        } else if (!rooted) {
          out.add("..");
        }
        continue;
      }
      out.add(part);
    }
    String joined = String.join("/", out);
    return rooted ? "/" + joined : joined.isEmpty() ? "." : joined;
  }

  /** moby's pattern compilation: {@code **} any elements, {@code *}/{@code ?} within one. */
  private static String regex(String pattern) {
    StringBuilder re = new StringBuilder("^");
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
            i++;
          }
          re.append(i + 1 >= pattern.length() ? ".*" : "(.*/)?");
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else if (c == '\\' && i + 1 < pattern.length()) {
        re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '[' && pattern.indexOf(']', i + 2) > 0) {
        int end = pattern.indexOf(']', i + 2);
        re.append(pattern, i, end + 1); // a character class, as filepath.Match has them
        i = end;
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return re.append('$').toString();
  }
}
