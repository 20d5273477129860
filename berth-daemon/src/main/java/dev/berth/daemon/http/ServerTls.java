package dev.berth.daemon.http;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS for TCP listeners, from PEM files as dockerd takes them. Netty reads the PEM itself
 * (certificates, PKCS#8 keys; PKCS#1 and SEC1 keys through BouncyCastle, which Netty finds on
 * the class path). With {@code verifyClients} every client must present a certificate signed
 * by the CA (dockerd's --tlsverify); without it the server only proves who it is (--tls).
 */
public record ServerTls(SslContext context, boolean verifyClients) {

  public static ServerTls load(Path ca, Path cert, Path key, boolean verifyClients) throws IOException {
    requireFile(cert, "--tlscert");
    requireFile(key, "--tlskey");
    if (verifyClients) {
      requireFile(ca, "--tlscacert");
    }
    try {
      SslContextBuilder builder = SslContextBuilder.forServer(cert.toFile(), key.toFile())
          .sslProvider(SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2");
      if (verifyClients) {
        builder.trustManager(ca.toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      return new ServerTls(builder.build(), verifyClients);
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot load the TLS certificate " + cert + " and key " + key
          + (verifyClients ? " (CA " + ca + ")" : "") + ": " + rootMessage(e), e);
    }
  }

  private static void requireFile(Path file, String flag) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IOException("TLS is on but " + file + " (" + flag + ") cannot be read; "
          + "make certificates with bin/berth-certs or point " + flag + " at yours");
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
  }
}
