package dev.berth.cli.build;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .dockerignore} as the docker CLI reads and matches it (moby's {@code dockerignore}
 * and {@code fileutils.PatternMatcher}): one pattern a line, {@code #} comments, {@code !}
 * exceptions, {@code *} and {@code ?} within one path element, {@code **} across elements; the
 * last matching pattern decides, and a pattern matching a parent directory matches what is in
 * it. The daemon has the same rules in the engine; see docs/decisions/0250.
 */
public final class DockerIgnore {
  private record Rule(String pattern, boolean exception, Pattern regex, int depth) {}

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
      rules.add(new Rule(p, exception, Pattern.compile(regex(p)), p.split("/").length));
    }
    return new DockerIgnore(rules);
  }

  public static DockerIgnore none() {
    return new DockerIgnore(List.of());
  }

  /** True when {@code relativePath} (slash-separated, relative to the context) is left out. */
  public boolean excluded(String relativePath) {
    String file = clean(relativePath);
    int slash = file.lastIndexOf('/');
    String[] parentDirs = slash < 0 ? new String[0] : file.substring(0, slash).split("/");
    boolean matched = false;
    for (Rule r : rules) {
      boolean match = r.regex.matcher(file).matches();
      if (!match && parentDirs.length > 0 && r.depth <= parentDirs.length) {
        match = r.regex.matcher(String.join("/", List.of(parentDirs).subList(0, r.depth))).matches();
      }
      if (match) {
        matched = !r.exception;
      }
    }
    return matched;
  }

  /** Whether an excluded directory must still be walked: an exception may name something in it. */
  public boolean mayIncludeUnder(String dir) {
    String prefix = clean(dir) + "/";
    for (Rule r : rules) {
      if (r.exception && (r.pattern + "/").startsWith(prefix)) {
        return true;
      }
      if (r.exception && r.pattern.contains("*")) {
        return true; // a wildcard exception could match anywhere below; walk to be sure
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
