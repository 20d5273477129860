package dev.berth.daemon.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Matches a method and path to a route. Templates are literal segments and {@code {name}}
 * parameters (one segment); one {@code {name:.*}} parameter may take several segments, because
 * Docker allows image names with unencoded slashes (for example {@code /images/a/b/json}).
 * Segments are percent-decoded after splitting, so {@code %2F} stays inside its parameter.
 */
public final class Router {

  /** A matched route and the decoded values of its parameters. */
  public record Match(Route route, Map<String, String> params) {}

  private record Template(String method, String[] segments, Route route) {}

  private final List<Template> templates = new ArrayList<>();

  public Router add(String method, String template, Route route) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("route template must start with /: " + template);
    }
    String[] segments = splitRaw(template);
    long greedy = Arrays.stream(segments).filter(s -> s.endsWith(":.*}")).count();
    if (greedy > 1) {
      throw new IllegalArgumentException("at most one multi-segment parameter: " + template);
    }
    templates.add(new Template(method, segments, route));
    return this;
  }

  public Router get(String template, Route route) {
    return add("GET", template, route);
  }

  public Router post(String template, Route route) {
    return add("POST", template, route);
  }

  public Router delete(String template, Route route) {
    return add("DELETE", template, route);
  }

  public Router head(String template, Route route) {
    return add("HEAD", template, route);
  }

  public Router put(String template, Route route) {
    return add("PUT", template, route);
  }

  /** The first route whose method and template match, in the order they were added. */
  public Optional<Match> match(String method, String rawPath) {
    String[] path = splitRaw(rawPath);
    for (Template t : templates) {
      if (!t.method().equals(method)) {
        continue;
      }
      Map<String, String> params = matchSegments(t.segments(), path);
      if (params != null) {
        return Optional.of(new Match(t.route(), params));
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> matchSegments(String[] template, String[] path) {
    int greedyAt = -1;
    for (int i = 0; i < template.length; i++) {
      if (template[i].endsWith(":.*}")) {
        greedyAt = i;
      }
    }
    Map<String, String> params = new HashMap<>();
    if (greedyAt < 0) {
      if (template.length != path.length) {
        return null;
      }
      for (int i = 0; i < template.length; i++) {
        if (!matchOne(template[i], path[i], params)) {
          return null;
        }
      }
      return params;
    }
    int tail = template.length - greedyAt - 1;
    if (path.length < template.length) {
      return null;
    }
    for (int i = 0; i < greedyAt; i++) {
      if (!matchOne(template[i], path[i], params)) {
        return null;
      }
    }
    for (int i = 0; i < tail; i++) {
      if (!matchOne(template[template.length - 1 - i], path[path.length - 1 - i], params)) {
        return null;
      }
    }
    StringBuilder joined = new StringBuilder();
    for (int i = greedyAt; i < path.length - tail; i++) {
      if (i > greedyAt) {
        joined.append('/');
      }
      joined.append(decode(path[i]));
    }
    if (joined.isEmpty()) {
      return null;
    }
    String name = template[greedyAt];
    params.put(name.substring(1, name.length() - ":.*}".length()), joined.toString());
    return params;
  }

  private static boolean matchOne(String template, String segment, Map<String, String> params) {
    if (template.startsWith("{") && template.endsWith("}")) {
      if (segment.isEmpty()) {
        return false;
      }
      params.put(template.substring(1, template.length() - 1), decode(segment));
      return true;
    }
    return template.equals(segment);
  }

  private static String[] splitRaw(String path) {
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    if (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
  }

  private static String decode(String segment) {
    // URLDecoder treats '+' as space (form encoding); in a path '+' is literal.
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException badEscape) {
      // a client's broken %-escape (found by ApiFuzzIT): a 400 as Go's net/http gives, not a 500
      throw new ApiError(400, "invalid URL escape in the request path: " + badEscape.getMessage());
    }
  }
}
