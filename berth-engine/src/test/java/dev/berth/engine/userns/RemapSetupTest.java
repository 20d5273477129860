package dev.berth.engine.userns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flag's value against fake accounts and temp subuid/subgid files. */
class RemapSetupTest {
  @TempDir
  Path dir;

  /** Accounts in memory; usermod "missing" so the files are appended to directly. */
  static final class FakeAccounts implements HostAccounts {
    final Map<String, Account> users = new HashMap<>();
    final Map<String, Account> groups = new HashMap<>();

    @Override
    public Optional<Account> user(String nameOrId) {
      return find(users, nameOrId);
    }

    @Override
    public Optional<Account> group(String nameOrId) {
      return find(groups, nameOrId);
    }

    private static Optional<Account> find(Map<String, Account> m, String key) {
      return m.values().stream().filter(a -> a.name().equals(key) || Long.toString(a.id()).equals(key)).findFirst();
    }

    @Override
    public void addSystemUser(String name) {
      users.put(name, new Account(name, 990));
    }

    @Override
    public boolean addRanges(String name, IdRange uids, IdRange gids) {
      return false;
    }
  }

  private RemapSetup setup(FakeAccounts accounts, String subuid, String subgid) throws IOException {
    Files.writeString(dir.resolve("subuid"), subuid);
    Files.writeString(dir.resolve("subgid"), subgid);
    return new RemapSetup(accounts, dir.resolve("subuid"), dir.resolve("subgid"));
  }

  @Test
  void defaultMakesTheBerthUserAndGivesItTheFirstFreeRanges() throws IOException {
    FakeAccounts accounts = new FakeAccounts();
    RemapSetup setup = setup(accounts, "alice:100000:65536\n", "");
    Remapping r = setup.resolve("default");
    assertThat(accounts.users).containsKey("berth");
    assertThat(r.user()).isEqualTo("berth");
    assertThat(r.rootUid()).isEqualTo(165536);
    assertThat(r.rootGid()).isEqualTo(100000);
    assertThat(dir.resolve("subuid")).hasContent("alice:100000:65536\nberth:165536:65536\n");
    assertThat(dir.resolve("subgid")).hasContent("berth:100000:65536\n");
    // a second start finds user and ranges and adds nothing
    assertThat(setup.resolve("default")).isEqualTo(r);
    assertThat(dir.resolve("subuid")).hasContent("alice:100000:65536\nberth:165536:65536\n");
  }

  @Test
  void aNamedUserAndGroupOrTheirIdsUseTheirOwnRanges() throws IOException {
    FakeAccounts accounts = new FakeAccounts();
    accounts.users.put("alice", new HostAccounts.Account("alice", 1000));
    accounts.groups.put("staff", new HostAccounts.Account("staff", 50));
    RemapSetup setup = setup(accounts, "alice:200000:65536\n", "alice:300000:65536\nstaff:400000:65536\n");
    assertThat(setup.resolve("alice").rootGid()).isEqualTo(300000);
    assertThat(setup.resolve("alice:staff").rootGid()).isEqualTo(400000);
    assertThat(setup.resolve("1000:50").rootUid()).isEqualTo(200000);
    assertThat(setup.resolve("1000:50").rootGid()).isEqualTo(400000);
  }

  @Test
  void startUpErrorsSayWhatIsWrongAndWhatToDo() throws IOException {
    FakeAccounts accounts = new FakeAccounts();
    accounts.users.put("alice", new HostAccounts.Account("alice", 1000));
    accounts.users.put("bob", new HostAccounts.Account("bob", 1001));
    RemapSetup setup = setup(accounts, "alice:200000:1000\n", "alice:300000:65536\n");
    assertThatThrownBy(() -> setup.resolve("carol")).hasMessageContaining("user \"carol\" does not exist");
    assertThatThrownBy(() -> setup.resolve("4242")).hasMessageContaining("uid 4242 has no entry in /etc/passwd");
    assertThatThrownBy(() -> setup.resolve("alice:nogrp")).hasMessageContaining("group \"nogrp\" does not exist");
    assertThatThrownBy(() -> setup.resolve("bob")).hasMessageContaining("no subordinate uid ranges for bob")
        .hasMessageContaining("usermod --add-subuids");
    assertThatThrownBy(() -> setup.resolve("alice")).hasMessageContaining("hold 1000 ids")
        .hasMessageContaining("at least 65536");
    assertThatThrownBy(() -> setup.resolve("a:b:c")).hasMessageContaining("use default, USER[:GROUP] or UID[:GID]");
    assertThatThrownBy(() -> setup.resolve("default:x")).hasMessageContaining("default takes no group");
  }
}
