package dev.berth.daemon.http;

/** A handler for one method and path template; runs on a virtual thread and may block. */
@FunctionalInterface
public interface Route {
  void handle(ApiRequest request, ApiResponse response) throws Exception;
}
