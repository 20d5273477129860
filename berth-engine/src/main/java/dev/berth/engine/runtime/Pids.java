package dev.berth.engine.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;

/** Facts about processes that are not our children (conmon, container init), from /proc. */
public final class Pids {
  private Pids() {}

  /** True while the process exists and is not a zombie. */
  public static boolean isRunning(int pid) {
    return stat(pid).map(s -> s.state() != 'Z' && s.state() != 'X').orElse(false);
  }

  /** Parent pid and session id, or empty when the process is gone. */
  public static java.util.Optional<Stat> stat(int pid) {
    try {
      String text = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      // The command name may contain spaces and parentheses: fields start after the last ')'.
      String[] f = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
      return java.util.Optional.of(
          new Stat(f[0].charAt(0), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])));
    } catch (NoSuchFileException e) {
      return java.util.Optional.empty();
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  /** Reads a pidfile as runc and conmon write it (decimal, maybe without newline). */
  public static OptionalInt readPidFile(Path file) {
    return readNumber(file);
  }

  /** Reads a file holding one decimal number (pidfiles, conmon's exit files); empty if absent. */
  public static OptionalInt readNumber(Path file) {
    try {
      String text = Files.readString(file).trim();
      return text.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(text));
    } catch (NoSuchFileException e) {
      return OptionalInt.empty();
    } catch (IOException | NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /** The fields of /proc/PID/stat we use. */
  public record Stat(char state, int ppid, int pgrp, int session) {}
}
