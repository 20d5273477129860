package dev.berth.daemon;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * The group of berthd's unix sockets, as dockerd's {@code -G}: a named group must exist (a
 * typo would otherwise leave the socket to root only, silently); without a name, {@code berth}
 * when it exists, else root.
 */
final class SocketGroup {
  private SocketGroup() {}

  static GroupPrincipal resolve(String named) throws IOException {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    if (named != null) {
      try {
        // The JDK takes a number that names no group as a gid, as dockerd does.
        return lookup.lookupPrincipalByGroupName(named);
      } catch (UserPrincipalNotFoundException e) {
        throw new IllegalArgumentException("group " + named + " (-G/--group) does not exist; create it "
            + "(groupadd " + named + ") or name another", e);
      }
    }
    try {
      return lookup.lookupPrincipalByGroupName(DaemonConfig.DEFAULT_SOCKET_GROUP);
    } catch (UserPrincipalNotFoundException noBerthGroup) {
      try {
        return lookup.lookupPrincipalByGroupName("root");
      } catch (UserPrincipalNotFoundException noRootName) {
        return lookup.lookupPrincipalByGroupName("0");
      }
    }
  }
}
