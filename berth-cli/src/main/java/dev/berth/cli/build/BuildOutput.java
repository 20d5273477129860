package dev.berth.cli.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shows the classic builder's JSON messages. Plain: the text as docker prints it (not a
 * terminal, {@code --progress plain}). Compact (a terminal): one line per finished step with
 * its time or CACHED, and at the bottom a live status (elapsed time, current step, cache hits)
 * over the last lines of the running step's output; a failed step's output is shown whole.
 */
public final class BuildOutput {
  private static final Pattern STEP = Pattern.compile("^Step (\\d+)/(\\d+) : (.*)$");
  private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*[A-Za-z]");
  private static final int LIVE_OUTPUT_LINES = 5;
  private static final int KEPT_OUTPUT_LINES = 200;

  /** How the stream ended. */
  public record Outcome(String imageId, String error, int code, String quietText) {
    public boolean failed() {
      return error != null;
    }
  }

  private final PrintWriter out;
  private final boolean compact;
  private final boolean quiet;
  private final long started = System.nanoTime();
  private final StringBuilder partial = new StringBuilder();
  private final Deque<String> stepOutput = new ArrayDeque<>();
  private String step;
  private String stepNumber = "";
  private long stepStarted;
  private boolean stepCached;
  private int cached;
  private int steps;
  private int liveLines;
  /** Live lines are cut to this: a wrapped line would break the cursor moves that redraw them. */
  private final int width = terminalWidth();
  private boolean ended;

  public BuildOutput(PrintWriter out, boolean compact, boolean quiet) {
    this.out = out;
    this.compact = compact && !quiet;
    this.quiet = quiet;
  }

  public Outcome render(InputStream body) throws IOException {
    String imageId = null;
    StringBuilder quietText = new StringBuilder();
    Thread ticker = compact ? Thread.ofVirtual().start(this::tick) : null;
    try {
      Iterator<JsonNode> it = Json.values(body);
      while (it.hasNext()) {
        JsonNode msg = it.next();
        if (msg.hasNonNull("error")) {
          String error = msg.path("errorDetail").path("message").asText(msg.path("error").asText());
          int code = msg.path("errorDetail").path("code").asInt(0);
          finishStep(true);
          return new Outcome(imageId, error, code == 0 ? 1 : code, quietText.toString());
        }
        if (msg.path("aux").hasNonNull("ID")) {
          imageId = msg.path("aux").path("ID").asText();
        } else if (msg.hasNonNull("stream")) {
          String text = msg.get("stream").asText();
          if (quiet) {
            quietText.append(text);
          } else if (compact) {
            lines(text);
          } else {
            out.print(text);
            out.flush();
          }
        }
      }
      if (compact) {
        if (!partial.isEmpty()) {
          line(partial.toString());
        }
        finishStep(false);
      }
      if (quiet && imageId == null && !quietText.isEmpty()) {
        imageId = quietText.toString().strip();
      }
      return new Outcome(imageId, null, 0, quietText.toString());
    } finally {
      end();
      if (ticker != null) {
        ticker.interrupt();
      }
    }
  }

  private void lines(String text) {
    partial.append(text);
    int nl;
    while ((nl = partial.indexOf("\n")) >= 0) {
      String line = partial.substring(0, nl);
      partial.delete(0, nl + 1);
      line(line);
    }
  }

  private synchronized void line(String raw) {
    String line = ANSI.matcher(raw).replaceAll("");
    Matcher m = STEP.matcher(line);
    if (m.matches()) {
      finishStep(false);
      step = m.group(3);
      stepNumber = m.group(1) + "/" + m.group(2);
      stepStarted = System.nanoTime();
      stepCached = false;
      steps++;
    } else if (line.equals(" ---> Using cache")) {
      stepCached = true;
      cached++;
    } else if (line.startsWith(" ---> ") || line.startsWith("Removing intermediate container ")) {
      // the classic builder's bookkeeping; the compact view shows steps, not IDs
    } else if (line.startsWith("Successfully built ") || line.startsWith("Successfully tagged ")) {
      finishStep(false);
      permanent(line);
    } else if (step == null) {
      permanent(line); // warnings before the first step
    } else {
      stepOutput.addLast(line);
      if (stepOutput.size() > KEPT_OUTPUT_LINES) {
        stepOutput.removeFirst();
      }
    }
    drawLive();
  }

  /** Ends the current step's live part: one line with its time; a failed one with its output. */
  private synchronized void finishStep(boolean failed) {
    if (!compact || step == null) {
      return;
    }
    String took = stepCached ? "CACHED" : String.format(Locale.ROOT, "%.1fs", (System.nanoTime() - stepStarted) / 1e9);
    permanent(" => [" + stepNumber + "] " + step + "  " + (failed ? "ERROR after " + took : took));
    if (failed) {
      stepOutput.forEach(l -> permanent(" > " + l));
    }
    step = null;
    stepOutput.clear();
  }

  private void permanent(String line) {
    clearLive();
    out.println(line);
    drawLive();
  }

  private synchronized void end() {
    ended = true;
    clearLive();
    out.flush();
  }

  private synchronized void drawLive() {
    if (!compact || ended) {
      return;
    }
    clearLive();
    StringBuilder live = new StringBuilder();
    double elapsed = (System.nanoTime() - started) / 1e9;
    live.append(String.format(Locale.ROOT, "[+] Building %.1fs", elapsed));
    if (step != null) {
      live.append("  step ").append(stepNumber).append(": ").append(step);
    }
    if (cached > 0) {
      live.append("  (").append(cached).append(" of ").append(steps).append(" cached)");
    }
    StringBuilder shownLines = new StringBuilder(cut(live.toString(), width));
    int lines = 1;
    int shown = 0;
    for (String l : stepOutput) {
      if (stepOutput.size() - shown++ <= LIVE_OUTPUT_LINES) {
        shownLines.append("\n\u001b[2m").append(cut("   " + l, width)).append("\u001b[0m");
        lines++;
      }
    }
    out.print(shownLines);
    out.flush();
    liveLines = lines;
  }

  private static String cut(String line, int width) {
    return line.length() < width ? line : line.substring(0, Math.max(0, width - 2)) + "…";
  }

  private static int terminalWidth() {
    try {
      int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").strip());
      return columns > 10 ? columns : 80;
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  private void clearLive() {
    if (liveLines == 0) {
      return;
    }
    out.print("\r" + (liveLines > 1 ? "\u001b[" + (liveLines - 1) + "A" : "") + "\u001b[J");
    liveLines = 0;
  }

  private void tick() {
    try {
      while (true) {
        Thread.sleep(200);
        drawLive();
      }
    } catch (InterruptedException done) {
      // the build's stream ended
    }
  }

  /** Summary for the end of a compact view. */
  public String summary() {
    return String.format(Locale.ROOT, "[+] Built in %.1fs: %d steps, %d cached", (System.nanoTime() - started) / 1e9,
        steps, cached);
  }
}
