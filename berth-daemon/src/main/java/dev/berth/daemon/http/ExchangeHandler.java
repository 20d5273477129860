package dev.berth.daemon.http;

/**
 * What a listener does with each request: the API's {@link Dispatcher}, or another front (the
 * web console) that checks its own credentials and hands API calls on to the Dispatcher.
 */
@FunctionalInterface
public interface ExchangeHandler {
  void handle(Dispatcher.Exchange exchange);
}
