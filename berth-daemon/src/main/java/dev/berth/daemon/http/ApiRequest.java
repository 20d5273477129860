package dev.berth.daemon.http;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as a route sees it: the path without its {@code /v1.NN} prefix, decoded
 * path parameters and query, headers, and the body as a blocking stream (routes run on
 * virtual threads).
 */
public interface ApiRequest {
  String method();

  /** The path after the version prefix, e.g. {@code /containers/json}. */
  String path();

  /** The API version the client asked for, or empty when the path had no prefix. */
  Optional<ApiVersion> apiVersion();

  /** A decoded path parameter of the matched route; throws if the route has no such name. */
  String pathParam(String name);

  /** The first value of a query parameter. */
  Optional<String> query(String name);

  List<String> queryAll(String name);

  Map<String, List<String>> queryParameters();

  /** Docker's boolean query convention: absent, "", "0", "false", "no" are false. */
  default boolean queryFlag(String name) {
    return query(name).map(v -> !(v.isEmpty() || v.equals("0") || v.equalsIgnoreCase("false")
        || v.equalsIgnoreCase("no"))).orElse(false);
  }

  /**
   * A whole-number query parameter, empty when absent or ""; anything else that is not a number is
   * the client's error (400: dockerd answers some of these with Go's strconv error as a 500).
   */
  default Optional<Long> queryNumber(String name) {
    Optional<String> v = query(name).filter(s -> !s.isEmpty());
    try {
      return v.map(Long::parseLong);
    } catch (NumberFormatException e) {
      throw new dev.berth.engine.BerthException.InvalidArgument("invalid value for query parameter " + name + ": \""
          + v.get() + "\" is not a whole number");
    }
  }

  Optional<String> header(String name);

  InputStream body();

  /** The body parsed as JSON into {@code type}; malformed JSON is the caller's error (400). */
  <T> T jsonBody(Class<T> type);
}
