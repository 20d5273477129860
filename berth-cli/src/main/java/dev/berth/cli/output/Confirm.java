package dev.berth.cli.output;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** docker's confirmation before a prune: the warning, then "[y/N]" read from standard input. */
public final class Confirm {
  private Confirm() {}

  /** Prints {@code warning} (its own lines) and the question; true only when the user answers y. */
  public static boolean proceed(PrintWriter out, String warning) throws IOException {
    out.print(warning);
    out.print("Are you sure you want to continue? [y/N] ");
    out.flush();
    String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    return answer != null && answer.strip().equalsIgnoreCase("y");
  }
}
