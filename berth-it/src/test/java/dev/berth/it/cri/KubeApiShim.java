package dev.berth.it.cri;

import dev.berth.daemon.cri.streaming.AttachTarget;
import dev.berth.daemon.cri.streaming.ExecTarget;
import dev.berth.daemon.cri.streaming.PortForwardTarget;
import dev.berth.daemon.cri.streaming.StreamingServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a Kubernetes API server and kubelet for kubectl's exec, attach and port-forward
 * to reach Berth's streaming server, so a real Go client (client-go's SPDY and WebSocket code)
 * drives it: discovery, a GET of the pod, and the pod's exec/attach/portforward requests, which
 * become a CRI-style request to the streaming server (as kubelet makes them) and are then proxied
 * byte for byte to its URL, upgrade included. Pods are names mapped to Berth container IDs.
 */
final class KubeApiShim implements AutoCloseable {
  private static final Pattern POD = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)(?:/(exec|attach|portforward))?$");

  private final StreamingServer streaming;
  private final Map<String, String> pods;
  private final ServerSocket listener;
  /** The Upgrade header of every streaming request, in order (which transport the client chose). */
  final List<String> upgrades = new CopyOnWriteArrayList<>();

  KubeApiShim(StreamingServer streaming, Map<String, String> pods) throws IOException {
    this.streaming = streaming;
    this.pods = pods;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("kube-shim").start(this::accept);
  }

  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket s = listener.accept();
        Thread.ofVirtual().start(() -> serve(s));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private record Request(String method, String target, Map<String, List<String>> headers, byte[] head) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? "" : v.getFirst();
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (true) {
        Request req = readHead(in);
        if (req == null) {
          return;
        }
        long length = req.header("content-length").isEmpty() ? 0 : Long.parseLong(req.header("content-length"));
        in.readNBytes((int) length);
        URI uri = URI.create(req.target());
        Matcher m = POD.matcher(uri.getPath());
        if (m.matches() && m.group(3) != null) {
          proxy(req, m.group(2), m.group(3), uri.getRawQuery(), socket, in);
          return;
        }
        String body;
        int status = 200;
        switch (uri.getPath()) {
          case "/api" -> body = "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
              + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1:" + listener.getLocalPort() + "\"}]}";
          case "/apis" -> body = "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}";
          case "/api/v1" -> body = "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
              + "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
              + "\"verbs\":[\"get\",\"list\"],\"shortNames\":[\"po\"]},"
              + "{\"name\":\"pods/exec\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodExecOptions\",\"verbs\":[\"create\",\"get\"]},"
              + "{\"name\":\"pods/attach\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodAttachOptions\",\"verbs\":[\"create\",\"get\"]},"
              + "{\"name\":\"pods/portforward\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodPortForwardOptions\",\"verbs\":[\"create\",\"get\"]}]}";
          default -> {
            if (m.matches() && pods.containsKey(m.group(2))) {
              body = pod(m.group(1), m.group(2));
            } else {
              status = 404;
              body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                  + "\"message\":\"not found\",\"reason\":\"NotFound\",\"code\":404}";
            }
          }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the client went; kubectl's own output tells the test what happened
    }
  }

  private static String pod(String namespace, String name) {
    return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\""
        + namespace + "\",\"uid\":\"00000000-0000-0000-0000-000000000001\"},\"spec\":{\"containers\":[{\"name\":\"c\","
        + "\"image\":\"busybox\",\"stdin\":true,\"stdinOnce\":true}]},\"status\":{\"phase\":\"Running\"}}";
  }

  /** kubelet's part: the CRI request, then the client's bytes to the streaming URL and back. */
  private void proxy(Request req, String pod, String kind, String rawQuery, Socket client, InputStream clientIn)
      throws IOException {
    upgrades.add(req.header("upgrade"));
    Map<String, List<String>> q = query(rawQuery);
    String container = pods.get(pod);
    URI url = switch (kind) {
      case "exec" -> streaming.execUrl(new ExecTarget(container, q.getOrDefault("command", List.of()), flag(q, "tty"),
          flag(q, "stdin"), flag(q, "stdout"), flag(q, "stderr")));
      case "attach" -> streaming.attachUrl(new AttachTarget(container, flag(q, "tty"), flag(q, "stdin"),
          flag(q, "stdout"), flag(q, "stderr")));
      default -> streaming.portForwardUrl(PortForwardTarget.ofContainer(container,
          q.getOrDefault("ports", List.of()).stream().map(Integer::parseInt).toList()));
    };
    try (Socket upstream = new Socket(url.getHost(), url.getPort())) {
      String head = new String(req.head(), StandardCharsets.ISO_8859_1);
      String rewritten = req.method() + " " + url.getRawPath() + head.substring(head.indexOf(" HTTP/"));
      OutputStream up = upstream.getOutputStream();
      up.write(rewritten.getBytes(StandardCharsets.ISO_8859_1));
      up.flush();
      Thread toServer = Thread.ofVirtual().start(() -> {
        try {
          clientIn.transferTo(up);
          upstream.shutdownOutput();
        } catch (IOException ignored) {
          // either side closed
        }
      });
      try {
        upstream.getInputStream().transferTo(client.getOutputStream());
        client.shutdownOutput();
      } catch (IOException ignored) {
        // either side closed
      }
      try {
        toServer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean flag(Map<String, List<String>> q, String name) {
    List<String> v = q.get(name);
    return v != null && (v.getFirst().equals("true") || v.getFirst().equals("1"));
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }

  /** One request head (up to the empty line), or null at the connection's end. */
  private static Request readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    if (matched < 4) {
      return null;
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    String[] first = lines[0].split(" ");
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), x -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).strip());
      }
    }
    return new Request(first[0], first[1], headers, head.toByteArray());
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
