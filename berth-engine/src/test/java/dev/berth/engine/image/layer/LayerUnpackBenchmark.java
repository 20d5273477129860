package dev.berth.engine.image.layer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Unpack throughput on a generated ~100 MB gzip layer (half random bytes, half text), beside
 * GNU tar on the same file, in the same run. Not a test: run by hand, read the ratio.
 *
 * <pre>
 * ./mvnw -B -q -pl berth-engine -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java --enable-native-access=ALL-UNNAMED -cp berth-engine/target/test-classes:berth-engine/target/classes:$(cat /tmp/cp.txt) \
 *     dev.berth.engine.image.layer.LayerUnpackBenchmark [work-dir]
 * </pre>
 */
public final class LayerUnpackBenchmark {
  private static final int RUNS = 3;

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory(args.length > 0 ? Path.of(args[0]) : Path.of("/tmp"), "berth-bench-");
    try {
      Path blob = work.resolve("layer.tar.gz");
      long tarBytes = generate(blob);
      long gzBytes = Files.size(blob);
      System.out.printf("layer: %.1f MB gzip, %.1f MB tar%n", gzBytes / 1e6, tarBytes / 1e6);

      double[] berth = new double[RUNS];
      double[] gnuTar = new double[RUNS];
      for (int i = 0; i < RUNS; i++) {
        Path target = work.resolve("berth-" + i);
        long start = System.nanoTime();
        new LayerUnpacker().unpack(blob, "application/vnd.oci.image.layer.v1.tar+gzip", target, null);
        berth[i] = (System.nanoTime() - start) / 1e9;
        FileTrees.deleteRecursively(target);

        Path tarTarget = Files.createDirectory(work.resolve("tar-" + i));
        start = System.nanoTime();
        Process p = new ProcessBuilder("tar", "-xzf", blob.toString(), "-C", tarTarget.toString(), "--same-owner", "-p")
            .inheritIO().start();
        if (p.waitFor() != 0) {
          throw new IOException("tar failed");
        }
        Process sync = new ProcessBuilder("sync", "-f", tarTarget.toString()).inheritIO().start();
        sync.waitFor(); // the unpacker syncfs()es too: compare like with like
        gnuTar[i] = (System.nanoTime() - start) / 1e9;
        FileTrees.deleteRecursively(tarTarget);
      }
      double b = median(berth);
      double t = median(gnuTar);
      System.out.printf("berth unpacker: median %.2f s = %.0f MB/s gzip in, %.0f MB/s tar out (runs %s)%n",
          b, gzBytes / 1e6 / b, tarBytes / 1e6 / b, Arrays.toString(berth));
      System.out.printf("GNU tar -xzf:   median %.2f s = %.0f MB/s gzip in, %.0f MB/s tar out (runs %s)%n",
          t, gzBytes / 1e6 / t, tarBytes / 1e6 / t, Arrays.toString(gnuTar));
      System.out.printf("ratio berth/tar time: %.2f%n", b / t);
    } finally {
      FileTrees.deleteRecursively(work);
    }
  }

  /** Writes the layer and returns the size of its uncompressed tar. */
  private static long generate(Path blob) throws IOException {
    Random random = new Random(1);
    String[] words = "the quick brown fox jumps over lazy dog container layer overlay image berth engine"
        .split(" ");
    long[] tarSize = new long[1];
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(blob));
        GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file);
        OutputStream counting = new OutputStream() {
          @Override public void write(int b) throws IOException { gz.write(b); tarSize[0]++; }
          @Override public void write(byte[] b, int off, int len) throws IOException { gz.write(b, off, len); tarSize[0] += len; }
        };
        TarArchiveOutputStream tar = new TarArchiveOutputStream(counting)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      // ~64 MB of incompressible data in files of 16 KB .. 2 MB
      long random_ = 0;
      for (int i = 0; random_ < 64L << 20; i++) {
        byte[] data = new byte[16 * 1024 + random.nextInt(2 << 20)];
        random.nextBytes(data);
        put(tar, "usr/lib/blob/" + (i % 20) + "/lib" + i + ".so", data);
        random_ += data.length;
      }
      // ~160 MB of text in files of 1 KB .. 200 KB, which gzip shrinks ~4x
      long text = 0;
      for (int i = 0; text < 160L << 20; i++) {
        int len = 1024 + random.nextInt(200 * 1024);
        StringBuilder sb = new StringBuilder(len + 16);
        while (sb.length() < len) {
          sb.append(words[random.nextInt(words.length)]).append(random.nextInt(10) == 0 ? '\n' : ' ');
        }
        put(tar, "usr/share/doc/" + (i % 50) + "/file" + i + ".txt", sb.toString().getBytes(StandardCharsets.US_ASCII));
        text += len;
      }
      tar.finish();
    }
    return tarSize[0];
  }

  private static void put(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    e.setMode(0644);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
