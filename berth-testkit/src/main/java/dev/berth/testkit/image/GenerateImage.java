package dev.berth.testkit.image;

import java.nio.file.Path;

/** {@code GenerateImage DIR TAG [EXTRA_LAYERS MB_PER_LAYER]}: writes a busybox OCI layout, for benchmarks. */
public final class GenerateImage {
  private GenerateImage() {}

  public static void main(String[] args) {
    if (args.length != 2 && args.length != 4) {
      System.err.println("usage: GenerateImage DIR TAG [EXTRA_LAYERS MB_PER_LAYER]");
      System.exit(2);
    }
    int layers = args.length == 4 ? Integer.parseInt(args[2]) : 0;
    long bytes = args.length == 4 ? Long.parseLong(args[3]) << 20 : 0;
    System.out.println(BusyboxImage.writeOciLayout(Path.of(args[0]), args[1], layers, bytes));
  }
}
