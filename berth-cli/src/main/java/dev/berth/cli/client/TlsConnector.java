package dev.berth.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS connections with the JDK's provider and PEM files as the docker CLI takes them:
 * certificates through CertificateFactory, keys in PKCS#8 ("PRIVATE KEY", what openssl 3 and
 * bin/berth-certs write) after Base64-decoding the body. Only commands that use TLS load this.
 */
final class TlsConnector {
  private final SSLContext context;
  private final boolean verify;

  private TlsConnector(SSLContext context, boolean verify) {
    this.context = context;
    this.verify = verify;
  }

  static TlsConnector of(TlsFiles files) {
    try {
      KeyManagerFactory keys = null;
      if (files.cert() != null && files.key() != null) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        List<Certificate> chain = List.copyOf(certificates(files.cert()));
        store.setKeyEntry("client", privateKey(files.key()), new char[0], chain.toArray(Certificate[]::new));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
      }
      TrustManager[] trust;
      if (files.verify()) {
        KeyStore cas = KeyStore.getInstance("PKCS12");
        cas.load(null, null);
        int i = 0;
        for (Certificate ca : certificates(files.ca())) {
          cas.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(cas);
        trust = tmf.getTrustManagers();
      } else {
        trust = new TrustManager[] {new TrustingAnyServer()};
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust, null);
      return new TlsConnector(context, files.verify());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("cannot load the TLS files: " + e.getFile() + " does not exist", e);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot load the TLS files: " + e.getMessage(), e);
    }
  }

  /** Connects (an IOException: nobody listens) and shakes hands (an UncheckedIOException: refused). */
  Connection open(DaemonAddress.Tcp address) throws IOException {
    // Connects only; the handshake comes below, so its failure can be told apart.
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.host(), address.port());
    try {
      if (verify) {
        // The docker CLI checks that the server's certificate names the host it dialled.
        SSLParameters params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(params);
      }
      socket.startHandshake();
      return new Tls(socket);
    } catch (IOException e) {
      socket.close();
      throw new java.io.UncheckedIOException("TLS handshake with the daemon at " + address + " failed: "
          + e.getMessage() + " (check --tlscacert, --tlscert and --tlskey, or DOCKER_CERT_PATH)", e);
    }
  }

  private static Collection<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (all.isEmpty()) {
        throw new GeneralSecurityException(file + " holds no PEM certificate");
      }
      return all;
    }
  }

  static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int start = pem.indexOf(begin);
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (start < 0 || end < start) {
      String kind = pem.contains("-----BEGIN ") ? pem.substring(pem.indexOf("-----BEGIN ") + 11).split("-----", 2)[0]
          : "no PEM block";
      throw new GeneralSecurityException(file + " is not a PKCS#8 key (\"BEGIN PRIVATE KEY\"; it has " + kind
          + "); convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (java.security.spec.InvalidKeySpecException notThisOne) {
        // the next algorithm
      }
    }
    throw new GeneralSecurityException(file + " holds a PKCS#8 key of an algorithm other than EC, RSA or Ed25519");
  }

  /** docker's --tls without --tlsverify: encrypted, but any server certificate is taken. */
  private static final class TrustingAnyServer implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      // a client never asks this
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      // deliberately none: that is what --tls without --tlsverify means
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /**
   * Under TLS 1.3 the daemon judges the client's certificate after the client's handshake is
   * done, so a refusal shows at the first write or read, often as a bare reset: until the daemon
   * has answered something, say what such a failure likely means.
   */
  private static final class Explained {
    private boolean answered;

    IOException explain(IOException e) {
      if (answered || e instanceof java.net.SocketTimeoutException) {
        return e;
      }
      return new IOException(e.getMessage() + " (the daemon may have refused this client's certificate: "
          + "check --tlscert and --tlskey, or DOCKER_CERT_PATH)", e);
    }

    InputStream input(InputStream raw) {
      return new java.io.FilterInputStream(raw) {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          int n = read(one, 0, 1);
          return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          try {
            int n = super.read(b, off, len);
            answered |= n > 0;
            return n;
          } catch (IOException e) {
            throw explain(e);
          }
        }
      };
    }

    OutputStream output(OutputStream raw) {
      return new java.io.FilterOutputStream(raw) {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          try {
            out.write(b, off, len);
          } catch (IOException e) {
            throw explain(e);
          }
        }

        @Override
        public void flush() throws IOException {
          try {
            out.flush();
          } catch (IOException e) {
            throw explain(e);
          }
        }
      };
    }
  }

  private static final class Tls implements Connection {
    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    Tls(SSLSocket socket) throws IOException {
      this.socket = socket;
      Explained explained = new Explained();
      this.in = explained.input(socket.getInputStream());
      this.out = explained.output(socket.getOutputStream());
    }

    @Override
    public InputStream input() {
      return in;
    }

    @Override
    public OutputStream output() {
      return out;
    }

    @Override
    public void shutdownOutput() throws IOException {
      // TLS 1.3 half-close: a close_notify, after which the daemon's output still arrives.
      socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
