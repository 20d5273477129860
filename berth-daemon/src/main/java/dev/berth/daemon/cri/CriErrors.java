package dev.berth.daemon.cri;

import dev.berth.engine.BerthException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where engine failures become gRPC statuses, as kubelet reads them: a missing
 * sandbox, container or image is NOT_FOUND, bad input INVALID_ARGUMENT, a state that forbids
 * the call FAILED_PRECONDITION, a host that cannot serve now UNAVAILABLE, anything else
 * INTERNAL (logged with its trace).
 */
final class CriErrors {
  private static final Logger log = LoggerFactory.getLogger(CriErrors.class);

  private CriErrors() {}

  static StatusRuntimeException status(Throwable error) {
    Status status = switch (error) {
      case StatusRuntimeException e -> e.getStatus();
      case BerthException.NotFound e -> Status.NOT_FOUND.withDescription(e.getMessage());
      case BerthException.InvalidArgument e -> Status.INVALID_ARGUMENT.withDescription(e.getMessage());
      case BerthException.Conflict e -> Status.FAILED_PRECONDITION.withDescription(e.getMessage());
      case BerthException.Unavailable e -> Status.UNAVAILABLE.withDescription(e.getMessage());
      case dev.berth.engine.pod.ExecSyncTimeout e -> Status.DEADLINE_EXCEEDED.withDescription(e.getMessage());
      case BerthException e -> Status.INTERNAL.withDescription(e.getMessage());
      // the engine's records refuse malformed requests this way
      case IllegalArgumentException e -> Status.INVALID_ARGUMENT.withDescription(e.getMessage());
      default -> Status.INTERNAL.withDescription("internal error in berthd: "
          + (error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage())
          + " (details are in the daemon log)");
    };
    if (status.getCode() == Status.Code.INTERNAL) {
      log.warn("CRI call failed: {}", status.getDescription(), error);
    } else {
      log.debug("CRI call answered {}: {}", status.getCode(), status.getDescription());
    }
    return status.asRuntimeException();
  }

  /** Answers one unary call with {@code body}'s result or its failure, mapped. */
  static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
    T result;
    try {
      result = body.get();
    } catch (Throwable e) {
      out.onError(status(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  static StatusRuntimeException unimplemented(String message) {
    return Status.UNIMPLEMENTED.withDescription(message).asRuntimeException();
  }
}
