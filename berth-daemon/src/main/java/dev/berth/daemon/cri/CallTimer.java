package dev.berth.daemon.cri;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs each CRI call's method, status and time at debug level: where a pod's time goes, per RPC. */
final class CallTimer implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(CallTimer.class);

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    if (!log.isDebugEnabled()) {
      return next.startCall(call, headers);
    }
    long t0 = System.nanoTime();
    String method = call.getMethodDescriptor().getBareMethodName();
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        log.debug("CRI {} {} in {} ms", method, status.getCode(), (System.nanoTime() - t0) / 1_000_000);
        super.close(status, trailers);
      }
    }, headers);
  }
}
