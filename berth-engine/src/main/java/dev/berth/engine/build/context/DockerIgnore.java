package dev.berth.engine.build.context;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code .dockerignore}: which files of a build context are left out, with the semantics of
 * moby's patternmatcher ({@code MatchesOrParentMatches}) and ignorefile.ReadAll: comment lines
 * ({@code #} in the first column) and blank lines skipped; patterns trimmed and cleaned
 * ({@code ./a//b/} is {@code a/b}, a leading {@code /} dropped); {@code *} and {@code ?} never
 * match {@code /}; {@code **} matches any number of directories; {@code [...]} classes; {@code \}
 * escapes; {@code !pattern} re-includes; the last matching pattern wins; a pattern that matches
 * a directory excludes everything under it unless a later pattern re-includes it. What is
 * excluded is what the Docker CLI leaves out of a context (checked against docker 28 and
 * dockerd 20.10 in DockerIgnoreTest), including its walk's shortcut: an excluded directory is
 * not entered unless an exception names a path in it literally.
 *
 * <p>The build files: the Docker CLI always sends the Dockerfile and {@code .dockerignore} even
 * when a pattern excludes them ({@link #keepingBuildFiles}), and the daemon, after reading them,
 * hides them from COPY/ADD if the file's own patterns exclude them ({@link #excluded} on the
 * instance that was parsed). A builder does both.
 *
 * <p>Only java.*: the CLI may use this file as it is.
 */
public final class DockerIgnore {
  private enum MatchType { EXACT, PREFIX, SUFFIX, REGEXP }

  private record Rule(String pattern, boolean exclusion, MatchType type, Pattern regexp) {

    boolean matches(String path) {
      return switch (type) {
        case EXACT -> path.equals(pattern);
        case PREFIX -> path.startsWith(pattern.substring(0, pattern.length() - 2));
        case SUFFIX -> {
          String suffix = pattern.substring(2);
          yield path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
        }
        case REGEXP -> regexp.matcher(path).matches();
      };
    }

    @Override
    public String toString() {
      return exclusion ? "!" + pattern : pattern;
    }
  }

  private final List<Rule> rules;

  private DockerIgnore(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Reads a .dockerignore's text (ignorefile.ReadAll, then the pattern matcher). */
  public static DockerIgnore parse(String text) {
    List<String> patterns = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String pattern = lines[i];
      if (i == 0 && pattern.startsWith("\uFEFF")) {
        pattern = pattern.substring(1);
      }
      if (pattern.startsWith("#")) {
        continue;
      }
      pattern = pattern.strip();
      if (pattern.isEmpty()) {
        continue;
      }
      boolean invert = pattern.charAt(0) == '!';
      if (invert) {
        pattern = pattern.substring(1).strip();
      }
      if (!pattern.isEmpty()) {
        pattern = clean(pattern);
        if (pattern.length() > 1 && pattern.charAt(0) == '/') {
          pattern = pattern.substring(1);
        }
      }
      patterns.add(invert ? "!" + pattern : pattern);
    }
    return of(patterns);
  }

  /**
   * A matcher for patterns as the API's {@code excludes} carry them.
   *
   * @throws IllegalArgumentException for {@code !} alone or a malformed pattern ({@code [a-})
   */
  public static DockerIgnore of(List<String> patterns) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : patterns) {
      String p = raw.strip();
      if (p.isEmpty()) {
        continue;
      }
      p = clean(p);
      boolean exclusion = false;
      if (p.charAt(0) == '!') {
        if (p.length() == 1) {
          throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
        }
        exclusion = true;
        p = p.substring(1);
      }
      rules.add(compile(p, exclusion));
    }
    return new DockerIgnore(rules);
  }

  /** The patterns, cleaned, exceptions with their {@code !}. */
  public List<String> patterns() {
    return rules.stream().map(Rule::toString).toList();
  }

  /**
   * True when the file or directory at this context-relative path ({@code a/b}) is left out of
   * the context, as the Docker CLI leaves it out when it walks the context (moby's archive
   * walk with patternmatcher's MatchesUsingParentResults): each pattern is tried on the path and
   * remembered for what is below a directory it matched, the last matching pattern wins, and a
   * path under a directory that {@link #canSkipDirectory} skips is out too.
   */
  public boolean excluded(String relativePath) {
    return walk(relativePath, false);
  }

  /**
   * True when a walk of the context need not enter this directory: it is excluded and no
   * {@code !} pattern starts with its path, the test the Docker CLI's walk makes. Like docker,
   * this skips a directory that only a wildcard exception would re-enter ({@code !**}{@code /*.txt}
   * re-includes nothing under an excluded directory), so a walk that uses it sends the same
   * files as {@code docker build}. {@link #excluded} already counts these skips.
   */
  public boolean canSkipDirectory(String relativeDir) {
    return walk(relativeDir, true);
  }

  /** Walks from the context's top down to the path, as the Docker CLI's walk reaches it. */
  private boolean walk(String relativePath, boolean skipQuestion) {
    String path = relative(relativePath);
    if (path.equals(".")) {
      return false; // Docker: the context itself is never excluded
    }
    String[] parts = path.split("/");
    boolean[] parentMatched = null;
    StringBuilder prefix = new StringBuilder();
    for (int level = 0; level < parts.length; level++) {
      if (level > 0) {
        prefix.append('/');
      }
      prefix.append(parts[level]);
      boolean[] matchedHere = new boolean[rules.size()];
      boolean matched = matchUsingParent(prefix.toString(), parentMatched, matchedHere);
      boolean last = level == parts.length - 1;
      if (matched && (!last || skipQuestion) && skippable(prefix.toString())) {
        return true;
      }
      if (last) {
        return !skipQuestion && matched;
      }
      parentMatched = matchedHere;
    }
    return false;
  }

  /** MatchesUsingParentResults: a pattern that matched a parent directory matches below it. */
  private boolean matchUsingParent(String path, boolean[] parentMatched, boolean[] matchedHere) {
    boolean matched = false;
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      boolean match = parentMatched != null && parentMatched[i];
      if (!match) {
        if (rule.exclusion() != matched) {
          continue; // cannot change the result
        }
        match = rule.matches(path);
      }
      matchedHere[i] = match;
      if (match) {
        matched = !rule.exclusion();
      }
    }
    return matched;
  }

  /** The Docker CLI's test: no exception pattern has this directory as a literal prefix. */
  private boolean skippable(String dir) {
    String dirSlash = dir + "/";
    for (Rule rule : rules) {
      if (rule.exclusion() && (rule.pattern() + "/").startsWith(dirSlash)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A copy that never excludes {@code .dockerignore} nor the Dockerfile (as the Docker CLI's
   * TrimBuildFilesFromExcludes does before it sends a context): exceptions are appended for
   * them when they are excluded.
   *
   * @param dockerfile the Dockerfile's context-relative path ({@code Dockerfile}, {@code build/app.Dockerfile})
   */
  public DockerIgnore keepingBuildFiles(String dockerfile) {
    List<String> patterns = new ArrayList<>(patterns());
    if (excluded(".dockerignore")) {
      patterns.add("!.dockerignore");
    }
    String name = relative(dockerfile);
    if (excluded(name)) {
      patterns.add("!" + name);
    }
    return of(patterns);
  }

  private static String relative(String path) {
    String p = clean(path);
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p.isEmpty() ? "." : p;
  }

  /** patternmatcher's compile: a pattern as a match type and, when needed, a regexp. */
  private static Rule compile(String pattern, boolean exclusion) {
    StringBuilder regex = new StringBuilder("^");
    MatchType type = MatchType.EXACT;
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char ch = pattern.charAt(i);
      if (ch == '*') {
        if (i + 1 < n && pattern.charAt(i + 1) == '*') {
          int start = i;
          i++;
          if (i + 1 < n && pattern.charAt(i + 1) == '/') {
            i++; // "**/" is "**"
          }
          if (i + 1 >= n) {
            if (type == MatchType.EXACT) {
              type = MatchType.PREFIX;
            } else {
              regex.append(".*");
              type = MatchType.REGEXP;
            }
          } else {
            regex.append("(.*/)?");
            type = MatchType.REGEXP;
          }
          if (start == 0) {
            type = MatchType.SUFFIX;
          }
        } else {
          regex.append("[^/]*");
          type = MatchType.REGEXP;
        }
      } else if (ch == '?') {
        regex.append("[^/]");
        type = MatchType.REGEXP;
      } else if (".+()|{}$".indexOf(ch) >= 0) {
        regex.append('\\').append(ch);
      } else if (ch == '\\') {
        if (i + 1 < n) {
          i++;
          regex.append('\\').append(pattern.charAt(i));
          type = MatchType.REGEXP;
        } else {
          throw new IllegalArgumentException("syntax error in pattern: " + pattern);
        }
      } else if (ch == '[' || ch == ']') {
        regex.append(ch);
        type = MatchType.REGEXP;
      } else {
        regex.append(ch);
      }
    }
    Pattern compiled = null;
    if (type == MatchType.REGEXP) {
      try {
        compiled = Pattern.compile(regex.append('$').toString());
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("syntax error in pattern: " + pattern, e);
      }
    }
    return new Rule(pattern, exclusion, type, compiled);
  }

  /** Go's path.Clean. */
  static String clean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.charAt(0) == '/';
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
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }
}
