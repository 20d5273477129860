package dev.berth.engine.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The name server over real UDP on loopback; names of containers come from the lookup given. */
class NetworkDnsTest {
  private static Message ask(InetSocketAddress server, String name, int type) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
      socket.setSoTimeout(5000); // a server that does not answer fails the test, not hangs it
      byte[] wire = q.toWire();
      socket.send(new java.net.DatagramPacket(wire, wire.length, server));
      java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[4096], 4096);
      socket.receive(p);
      byte[] b = java.util.Arrays.copyOf(p.getData(), p.getLength());
      Message r = new Message(b);
      assertThat(r.getHeader().getID()).isEqualTo(q.getHeader().getID());
      return r;
    }
  }

  @Test
  void containerNamesAreAnsweredAndUnknownDotlessNamesAreNxdomain() throws Exception {
    try (NetworkDns dns = NetworkDns.startOn(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        name -> name.equals("web") ? Optional.of("10.9.0.7") : Optional.empty())) {
      Message a = ask(dns.address(), "WEB.", Type.A);
      assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(((ARecord) a.getSection(Section.ANSWER).getFirst()).getAddress().getHostAddress()).isEqualTo("10.9.0.7");
      Message aaaa = ask(dns.address(), "web.", Type.AAAA);
      assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(aaaa.getSection(Section.ANSWER)).isEmpty();
      assertThat(ask(dns.address(), "nosuch.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }
  }
}
