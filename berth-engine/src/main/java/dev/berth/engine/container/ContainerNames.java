package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Docker's container name rule and generated names. */
public final class ContainerNames {
  /** At least two characters: Docker's {@code [a-zA-Z0-9][a-zA-Z0-9_.-]+}. */
  public static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

  private static final String[] LEFT = {"brave", "calm", "eager", "gentle", "happy", "jolly", "keen", "lucid",
      "merry", "nifty", "proud", "quiet", "sharp", "tender", "upbeat", "vivid", "witty", "zen"};
  private static final String[] RIGHT = {"anchor", "barge", "cutter", "dinghy", "ferry", "galley", "harbor", "keel",
      "lighter", "mooring", "pier", "quay", "rudder", "schooner", "tug", "wharf", "yawl"};

  private ContainerNames() {}

  /** The name without a leading slash; 400 when it breaks Docker's rule. */
  public static String validate(String name) {
    String n = name.startsWith("/") ? name.substring(1) : name;
    if (!VALID.matcher(n).matches()) {
      // dockerd's words, which leave the pattern's "+" out
      throw new BerthException.InvalidArgument("Invalid container name (" + n + "), only "
          + "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }
    return n;
  }

  /**
   * A generated name that {@code inUse} does not know. The space is ~400k names, so under a
   * long run of creates a draw does meet a live container's name (the soak benchmark hit one in
   * 2,500); dockerd draws again too. After 100 clashes the last draw is returned and the store's
   * unique name answers 409.
   */
  public static String generateUnused(Predicate<String> inUse) {
    String name = generate();
    for (int i = 1; i < 100 && inUse.test(name); i++) {
      name = generate();
    }
    return name;
  }

  public static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return LEFT[r.nextInt(LEFT.length)] + "_" + RIGHT[r.nextInt(RIGHT.length)] + "_" + r.nextInt(1000);
  }
}
