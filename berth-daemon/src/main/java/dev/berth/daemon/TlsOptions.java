package dev.berth.daemon;

import dev.berth.daemon.http.ListenAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * dockerd's TLS flags as given: {@code --tls}, {@code --tlsverify} (null when not given, so an
 * explicit false can be told apart), and the PEM files.
 *
 * <p>TLS applies to TCP listeners only. A TCP listener that other machines can reach must use
 * TLS; only an explicit {@code --tls=false} (or {@code --tlsverify=false}) allows it in the clear.
 */
public record TlsOptions(Boolean tls, Boolean verify, Path ca, Path cert, Path key) {
  /** Where a root daemon looks by default: beside daemon.json, not in root's ~/.docker (see docs/decisions/0700). */
  public static final Path DEFAULT_DIR = Path.of("/etc/berth/tls");

  public static final TlsOptions DEFAULTS = new TlsOptions(null, null, null, null, null);

  public TlsOptions {
    ca = ca != null ? ca : DEFAULT_DIR.resolve("ca.pem");
    cert = cert != null ? cert : DEFAULT_DIR.resolve("cert.pem");
    key = key != null ? key : DEFAULT_DIR.resolve("key.pem");
  }

  /** TLS is on: --tls, or --tlsverify which implies it. */
  public boolean enabled() {
    return Boolean.TRUE.equals(tls) || verifies();
  }

  /** Clients must present a certificate signed by the CA. */
  public boolean verifies() {
    return Boolean.TRUE.equals(verify);
  }

  /** The user said no TLS in so many words, and so takes the risk of plain TCP. */
  public boolean explicitlyOff() {
    return !enabled() && (Boolean.FALSE.equals(tls) || Boolean.FALSE.equals(verify));
  }

  /**
   * The TCP listeners among {@code hosts} that others could reach in the clear. Throws when
   * there are any and TLS was not turned off explicitly: refused before anything binds.
   */
  public List<ListenAddress.Tcp> exposedPlainListeners(List<String> hosts) {
    if (enabled()) {
      return List.of();
    }
    List<ListenAddress.Tcp> exposed = hosts.stream()
        .map(ListenAddress::parse)
        .filter(a -> a instanceof ListenAddress.Tcp tcp && !tcp.isLoopback())
        .map(a -> (ListenAddress.Tcp) a)
        .toList();
    if (!exposed.isEmpty() && !explicitlyOff()) {
      throw new IllegalArgumentException("refusing to serve the API on " + exposed.getFirst() + " without TLS: "
          + "anyone who can reach that address would control this host. Use --tlsverify with --tlscacert, "
          + "--tlscert and --tlskey (bin/berth-certs makes a first set), listen on a loopback address, "
          + "or pass --tls=false to accept the risk");
    }
    return exposed;
  }
}
