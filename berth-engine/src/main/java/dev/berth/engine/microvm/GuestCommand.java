package dev.berth.engine.microvm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the guest init runs, as {@code run.sh} (sourced by the init): the container's workdir
 * and the positional parameters for {@code env -i}: the environment, then {@code /init --exec}
 * (berth-boot), which enters the root, changes to the workdir, sets gid and uid, resets the
 * signals and execs the command found in the container's PATH. Every value
 * is single-quoted, so nothing in it is expanded by the guest's shell. The same command also as
 * {@link #commandFile()}, which the boot helper reads when it runs the command itself (no terminal,
 * no stdin: decision 3750).
 *
 * @param env the container's environment (KEY=VALUE)
 * @param args entrypoint and command
 */
public record GuestCommand(List<String> env, List<String> args, String workingDir, int uid, int gid) {
  static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  public GuestCommand {
    env = List.copyOf(env);
    args = List.copyOf(args);
    workingDir = workingDir == null || workingDir.isEmpty() ? "/" : workingDir;
  }

  /** The env the process sees: the container's, with Docker's PATH and a HOME when the image sets none. */
  List<String> effectiveEnv() {
    List<String> all = new ArrayList<>(env);
    if (all.stream().noneMatch(e -> e.startsWith("PATH="))) {
      all.addFirst(DEFAULT_PATH);
    }
    if (all.stream().noneMatch(e -> e.startsWith("HOME="))) {
      all.add(uid == 0 ? "HOME=/root" : "HOME=/");
    }
    return all;
  }

  /** The text of run.sh. */
  public String script() {
    return script(List.of());
  }

  /**
   * run.sh for a command the guest kills (SIGKILL, exit 137) after {@code seconds}, as a
   * healthcheck's timeout kills its process: the initramfs's busybox timeout execs berth-boot, so
   * the signal reaches the command itself.
   */
  public String scriptKilledAfter(long seconds) {
    return script(List.of("/bin/busybox", "timeout", "-s", "KILL", Long.toString(Math.max(1, seconds))));
  }

  private String script(List<String> wrapper) {
    StringBuilder s = new StringBuilder("# written by berthd for the guest init\n");
    s.append("BERTH_WORKDIR=").append(quote(workingDir)).append('\n');
    List<String> env = effectiveEnv().stream().filter(e -> e.contains("=")).toList();
    // berth-boot, not busybox nsenter: Debian's busybox runs its own applet for any applet name (3750).
    // A guest booted by an older berthd (it keeps running across an upgrade) has no "/init --exec":
    // its init does not set berth_exec, and the command goes through nsenter there as it did.
    s.append("if [ \"${berth_exec-}\" = 1 ]; then\n");
    words(s, env, wrapper, List.of("/init", "--exec", workingDir, Integer.toString(uid), Integer.toString(gid), "--"));
    s.append("else\n");
    words(s, env, wrapper, List.of("/bin/busybox", "nsenter", "-F", "--root=/newroot", "--wd=/newroot" + workingDir,
        "-S", Integer.toString(uid), "-G", Integer.toString(gid), "--"));
    return s.append("fi\n").toString();
  }

  /** One "set --" of the environment, the wrapper, the entering command and the args. */
  private void words(StringBuilder s, List<String> env, List<String> wrapper, List<String> enter) {
    List<String> words = new ArrayList<>(env);
    words.addAll(wrapper);
    words.addAll(enter);
    words.addAll(args);
    s.append("set --");
    for (String w : words) {
      s.append(" \\\n  ").append(quote(w));
    }
    s.append('\n');
  }

  /** The first field of {@link #commandFile()}: the format's name and version. */
  static final String COMMAND_FILE_FORMAT = "berth-command-1";

  /**
   * The share's {@code command} file for berth-boot (guest-run.c; decision 3750): fields, each
   * ended by a NUL byte, with nothing to unquote: {@value #COMMAND_FILE_FORMAT}, the workdir, the
   * uid, the gid (decimal), the number N of environment entries, N entries (KEY=VALUE, the
   * effective environment as {@code env -i} gets it), then the argv to its end (at least one).
   */
  public byte[] commandFile() {
    List<String> environment = effectiveEnv().stream().filter(e -> e.contains("=")).toList();
    for (String f : java.util.stream.Stream.of(List.of(workingDir), environment, args).flatMap(List::stream).toList()) {
      if (f.indexOf('\0') >= 0) { // it would end the field early and shift every one after it
        throw new dev.berth.engine.BerthException.InvalidArgument("a NUL byte in the command, environment or working"
            + " directory cannot be passed to a process: " + f.replace("\0", "\\0"));
      }
    }
    List<String> fields = new ArrayList<>(List.of(COMMAND_FILE_FORMAT, workingDir, Integer.toString(uid),
        Integer.toString(gid), Integer.toString(environment.size())));
    fields.addAll(environment);
    fields.addAll(args);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String f : fields) {
      out.writeBytes(f.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }

  /** POSIX shell single quotes: ' becomes '\''. */
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
