package dev.berth.daemon;

import dev.berth.engine.image.registry.RegistryMirrors;
import dev.berth.engine.network.NetworkDefaults;
import dev.berth.engine.microvm.MicroVmRuntime;
import java.nio.file.Path;
import java.util.List;

/**
 * berthd's settings after flags and the config file are merged.
 *
 * @param hosts where the API listens ({@code -H})
 * @param pidfile where berthd writes its pid
 * @param insecureRegistries registries (host[:port]) spoken to over plain HTTP
 * @param defaultRuntime the OCI runtime containers run on unless they name one; null = the
 *     first that works here (runc, then crun)
 * @param networks the default bridge, address pools and iptables chain prefix
 * @param microVm the guest kernel and accelerator of --isolation=vm containers
 * @param tls TLS for TCP listeners (dockerd's --tls, --tlsverify, --tlscacert, --tlscert, --tlskey)
 * @param socketGroup the group that owns the unix sockets ({@code -G}); null = {@code berth} when it
 *     exists, else root
 * @param maxApiConnections open API connections at most; more are answered 503
 * @param registryMirrors mirrors per registry ({@code --registry-mirror}, daemon.json {@code registry-mirrors})
 * @param consoleAddr where the web console listens (HOST:PORT), or null for no console
 * @param usernsRemap {@code --userns-remap}: default, USER[:GROUP] or UID[:GID]; null = no remapping
 */
public record DaemonConfig(List<String> hosts, Path dataRoot, Path execRoot, LogLevel logLevel, Path pidfile,
    List<String> insecureRegistries, String defaultRuntime, NetworkDefaults networks,
    MicroVmRuntime.Settings microVm, TlsOptions tls, String socketGroup, int maxApiConnections,
    RegistryMirrors registryMirrors, String consoleAddr, String usernsRemap) {

  /** The default group of the sockets when it exists, as dockerd's {@code docker}. */
  public static final String DEFAULT_SOCKET_GROUP = "berth";

  /** The given places and log level; everything else as berthd has it without flags or a config file. */
  public static DaemonConfig withDefaults(List<String> hosts, Path dataRoot, Path execRoot, LogLevel logLevel,
      Path pidfile) {
    return new DaemonConfig(hosts, dataRoot, execRoot, logLevel, pidfile, List.of(), null, NetworkDefaults.defaults(),
        MicroVmRuntime.Settings.DEFAULTS, TlsOptions.DEFAULTS, null, dev.berth.daemon.http.HttpLimits.DEFAULT_MAX_CONNECTIONS,
        RegistryMirrors.NONE, null, null);
  }

  public static final String DEFAULT_HOST = "unix:///run/berth/berth.sock";
  public static final Path DEFAULT_DATA_ROOT = Path.of("/var/lib/berth");
  public static final Path DEFAULT_EXEC_ROOT = Path.of("/run/berth");
  public static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/berth/daemon.json");

  public DaemonConfig {
    hosts = List.copyOf(hosts);
    insecureRegistries = List.copyOf(insecureRegistries);
    networks = networks == null ? NetworkDefaults.defaults() : networks;
    microVm = microVm == null ? MicroVmRuntime.Settings.DEFAULTS : microVm;
    tls = tls == null ? TlsOptions.DEFAULTS : tls;
    registryMirrors = registryMirrors == null ? RegistryMirrors.NONE : registryMirrors;
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("at least one -H/--host is needed");
    }
  }

  /** dockerd's log levels; fatal logs as error, since nothing in Berth logs at a higher level. */
  public enum LogLevel {
    DEBUG("debug"), INFO("info"), WARN("warn"), ERROR("error"), FATAL("error");

    private final String slf4jLevel;

    LogLevel(String slf4jLevel) {
      this.slf4jLevel = slf4jLevel;
    }

    public String slf4jLevel() {
      return slf4jLevel;
    }

    public static LogLevel parse(String text) {
      for (LogLevel l : values()) {
        if (l.name().equalsIgnoreCase(text)) {
          return l;
        }
      }
      throw new IllegalArgumentException("unable to parse logging level: " + text
          + " (use debug, info, warn, error or fatal)");
    }
  }
}
