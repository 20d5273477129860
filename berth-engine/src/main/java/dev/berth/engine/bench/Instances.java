package dev.berth.engine.bench;

import java.time.Duration;
import java.util.List;

/**
 * One kind of isolation as the bench drives it: Berth's own containers (plain or microVM) or a
 * peer engine. Every measurement is written against this, so each kind is measured the same way.
 */
interface Instances {
  /** The port the network server listens on inside an instance. */
  int SERVER_PORT = 5001;

  /** The kind's name in the report. */
  String kind();

  /** How {@link #runToExit} times, for the figures' method strings. */
  String startMethod();

  /**
   * Runs {@code script} (sh -c) in a new instance until it exits and removes it: nanoseconds from
   * the create call to the first byte of output and to the exit.
   */
  StartSample runToExit(String script, Duration timeout) throws Exception;

  /**
   * Starts an instance running {@code script} (which prints a line once ready) and returns when
   * that line arrived; {@code publish} publishes {@link #SERVER_PORT} on a free 127.0.0.1 port.
   */
  Instance startIdle(String script, boolean publish, Duration timeout) throws Exception;

  /** Runs {@code script} in the instance; its stdout. A non-zero exit is an error. */
  String exec(Instance instance, String script, Duration timeout) throws Exception;

  /** Host pids of every process the instance adds (supervisor, runtime processes, QEMU). */
  List<Long> pids(Instance instance) throws Exception;

  /** Removes the instance, whatever its state. */
  void remove(Instance instance);

  /** What the instance runs on: {@code none}, {@code kvm} or {@code tcg}. */
  String accelerator();

  record StartSample(long firstOutputNanos, long exitNanos) {}

  /**
   * @param ip its address on its network, for instance-to-instance traffic
   * @param hostPort the published 127.0.0.1 port, 0 when not published
   */
  record Instance(String id, String ip, int hostPort) {}
}
