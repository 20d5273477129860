package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Json;
import dev.berth.engine.build.BuildEvent;
import dev.berth.engine.build.BuildException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The classic builder's answer, as dockerd 20.10 writes it: one JSON object a line,
 * {@code {"stream":…}} for text, {@code {"aux":{"ID":…}}} for each built image, and
 * {@code {"errorDetail":{"code"?,"message"},"error"}} when the build fails after the answer
 * began (before it, the failure is a plain error status). With {@code q} the messages are
 * held back: the answer is the image ID alone, or on failure the held messages and the error.
 */
final class BuildMessages implements AutoCloseable {
  /** Go's encoding/json escapes {@code < > &} (as {@code \u003c}…); clients comparing bytes see dockerd's. */
  private static final ObjectWriter GO_JSON = Json.MAPPER.writer().with(new GoEscapes());

  private static final class GoEscapes extends CharacterEscapes {
    private final int[] ascii = standardAsciiEscapesForJSON();

    GoEscapes() {
      ascii['<'] = ESCAPE_CUSTOM;
      ascii['>'] = ESCAPE_CUSTOM;
      ascii['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch == '<' || ch == '>' || ch == '&' || ch == 0x2028 || ch == 0x2029
          ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
  }

  private final ApiResponse response;
  private final boolean quiet;
  private final List<ObjectNode> heldBack = new ArrayList<>();
  private OutputStream out;
  private volatile boolean clientGone;

  BuildMessages(ApiResponse response, boolean quiet) {
    this.response = response;
    this.quiet = quiet;
  }

  boolean started() {
    return out != null;
  }

  boolean clientGone() {
    return clientGone;
  }

  synchronized void event(BuildEvent event) {
    ObjectNode msg = Json.MAPPER.createObjectNode();
    if (event instanceof BuildEvent.Stream s) {
      String text = s.text();
      if (text.startsWith("Step ") && text.endsWith("\n") && text.indexOf('\n') == text.length() - 1) {
        // dockerd sends a step's line and its newline as two messages
        event(new BuildEvent.Stream(text.substring(0, text.length() - 1)));
        text = "\n";
      }
      msg.put("stream", text);
    } else if (event instanceof BuildEvent.Aux a) {
      msg.putObject("aux").put("ID", a.imageId());
    }
    if (quiet) {
      heldBack.add(msg);
    } else {
      write(msg);
    }
  }

  /** The end of a successful build; with {@code q}, its only line. */
  synchronized void built(String imageId) {
    if (quiet) {
      ObjectNode msg = Json.MAPPER.createObjectNode();
      msg.put("stream", imageId + "\n");
      write(msg);
    }
  }

  /** A failure after the answer began: Docker's error message (with a RUN's exit code). */
  synchronized void failed(RuntimeException error) {
    heldBack.forEach(this::write);
    heldBack.clear();
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    ObjectNode msg = Json.MAPPER.createObjectNode();
    ObjectNode detail = msg.putObject("errorDetail");
    // dockerd gives a code only for a failed RUN (its exit code); other failures have none
    if (error instanceof BuildException b && message.contains("returned a non-zero code")) {
      detail.put("code", b.code());
    }
    detail.put("message", message);
    msg.put("error", message);
    write(msg);
  }

  /** True when anything must be written for a failure to reach the client in the stream. */
  boolean failureGoesInStream() {
    return started() || !heldBack.isEmpty();
  }

  private void write(ObjectNode msg) {
    if (clientGone) {
      return;
    }
    try {
      if (out == null) {
        out = response.stream(200, "application/json");
      }
      // one write per message, newline included: each becomes one HTTP chunk, as dockerd's
      // json.Encoder writes them (docker-py's splitter fails on a chunk that is only "\n")
      byte[] json = GO_JSON.writeValueAsBytes(msg);
      byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
      line[json.length] = '\n';
      out.write(line);
    } catch (IOException e) {
      clientGone = true; // the build is cancelled by the route; its remaining lines have no reader
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (clientGone) {
      return;
    }
    if (out == null) {
      out = response.stream(200, "application/json");
    }
    out.close();
  }
}
