package dev.berth.engine.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A network's name server, on UDP port 53 of its gateway (as podman's aardvark-dns): the names
 * and aliases of the network's containers are answered from Berth's state; every other query is
 * passed to the host's resolvers (berthd runs on the host, so a loopback resolver works here).
 */
final class NetworkDns implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetworkDns.class);
  private static final long TTL = 600;

  private final DatagramChannel channel;
  private final Function<String, Optional<String>> lookup;
  private final List<InetSocketAddress> upstream;
  private final Thread thread;

  /**
   * @param lookup a name (lower case, no trailing dot) to the address of the container that has it
   */
  private NetworkDns(DatagramChannel channel, Function<String, Optional<String>> lookup) {
    this.channel = channel;
    this.lookup = lookup;
    this.upstream = ResolverConfig.getCurrentConfig().servers();
    this.thread = Thread.ofVirtual().name("dns-" + channel.socket().getLocalSocketAddress()).start(this::serve);
  }

  static NetworkDns start(String address, Function<String, Optional<String>> lookup) throws IOException {
    return startOn(new InetSocketAddress(InetAddress.getByName(address), 53), lookup);
  }

  static NetworkDns startOn(InetSocketAddress at, Function<String, Optional<String>> lookup) throws IOException {
    DatagramChannel ch = DatagramChannel.open();
    try {
      ch.bind(at);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new NetworkDns(ch, lookup);
  }

  InetSocketAddress address() {
    try {
      return (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void serve() {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    while (channel.isOpen()) {
      try {
        buf.clear();
        SocketAddress from = channel.receive(buf);
        buf.flip();
        byte[] query = new byte[buf.remaining()];
        buf.get(query);
        Thread.ofVirtual().start(() -> answer(query, from));
      } catch (IOException e) {
        if (channel.isOpen()) {
          log.warn("DNS server {}: {}", channel.socket().getLocalSocketAddress(), e.getMessage());
        }
        return;
      }
    }
  }

  private void answer(byte[] query, SocketAddress to) {
    try {
      byte[] reply = respond(new Message(query));
      channel.send(ByteBuffer.wrap(reply), to);
    } catch (IOException e) {
      log.debug("DNS query from {} dropped: {}", to, e.getMessage());
    }
  }

  byte[] respond(Message q) throws IOException {
    Record question = q.getQuestion();
    if (question == null) {
      return error(q, Rcode.FORMERR);
    }
    String name = question.getName().toString(true).toLowerCase(java.util.Locale.ROOT);
    Optional<String> local = lookup.apply(name);
    if (local.isPresent()) {
      Message r = reply(q);
      if (question.getType() == Type.A || question.getType() == Type.ANY) {
        r.addRecord(new ARecord(question.getName(), DClass.IN, TTL, InetAddress.getByName(local.get())),
            Section.ANSWER);
      }
      return r.toWire();
    }
    if (!name.contains(".")) {
      return error(q, Rcode.NXDOMAIN); // no resolver out there knows a dotless name (dnsmasq's domain-needed)
    }
    return forward(q);
  }

  private byte[] forward(Message q) {
    for (InetSocketAddress server : upstream) {
      try {
        SimpleResolver r = new SimpleResolver(server);
        r.setTimeout(Duration.ofSeconds(3));
        Message answer = r.send(q);
        answer.getHeader().setID(q.getHeader().getID());
        return answer.toWire();
      } catch (IOException e) {
        log.debug("DNS upstream {} failed: {}", server, e.getMessage());
      }
    }
    return error(q, Rcode.SERVFAIL);
  }

  private static Message reply(Message q) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.AA);
    r.getHeader().setFlag(Flags.RA);
    if (q.getHeader().getFlag(Flags.RD)) {
      r.getHeader().setFlag(Flags.RD);
    }
    r.addRecord(q.getQuestion(), Section.QUESTION);
    return r;
  }

  private static byte[] error(Message q, int rcode) {
    Message r = q.getQuestion() == null ? new Message(q.getHeader().getID()) : reply(q);
    r.getHeader().unsetFlag(Flags.AA);
    r.getHeader().setRcode(rcode);
    return r.toWire();
  }

  static Name name(String s) throws IOException {
    return Name.fromString(s.endsWith(".") ? s : s + ".");
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a datagram channel does not fail in practice
    }
    thread.interrupt();
  }
}
