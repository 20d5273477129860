package dev.berth.daemon.cri.streaming;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How an exec or attach ended, written on its error stream: from protocol v4 on, a metav1.Status
 * as JSON (Go's field order; an exit code in a cause of type {@code ExitCode}); before v4, only a
 * failure's message as text.
 */
record StreamStatus(boolean ok, String message, String reason, List<Cause> causes, int code) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A StatusCause: its {@code type} is written as "reason", as in Go. */
  record Cause(String type, String message) {}

  static StreamStatus success() {
    return new StreamStatus(true, "", "", List.of(), 0);
  }

  /** A command that ran and exited non-zero; {@code detail} as containerd words it. */
  static StreamStatus exitCode(int code, List<String> cmd) {
    String detail = "error executing command " + goList(cmd) + ", exit code " + code;
    return new StreamStatus(false, "command terminated with non-zero exit code: " + detail, "NonZeroExitCode",
        List.of(new Cause("ExitCode", Integer.toString(code))), 0);
  }

  /** apierrors.NewInternalError: code 500, the error as the one cause. */
  static StreamStatus internalError(String error) {
    return new StreamStatus(false, "Internal error occurred: " + error, "InternalError",
        List.of(new Cause("", error)), 500);
  }

  /** v4 and later: the JSON Status. */
  byte[] json() {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("metadata");
    n.put("status", ok ? "Success" : "Failure");
    if (!message.isEmpty()) {
      n.put("message", message);
    }
    if (!reason.isEmpty()) {
      n.put("reason", reason);
    }
    if (!causes.isEmpty()) {
      var list = n.putObject("details").putArray("causes");
      for (Cause c : causes) {
        ObjectNode cause = list.addObject();
        if (!c.type().isEmpty()) {
          cause.put("reason", c.type());
        }
        if (!c.message().isEmpty()) {
          cause.put("message", c.message());
        }
      }
    }
    if (code != 0) {
      n.put("code", code);
    }
    try {
      return JSON.writeValueAsBytes(n);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Before v4: nothing for a success, the message for a failure. */
  byte[] text() {
    return ok ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
  }

  /** Go's %v of a []string: {@code [sh -c exit 3]}. */
  static String goList(List<String> words) {
    return "[" + String.join(" ", words) + "]";
  }
}
