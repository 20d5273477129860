package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.User;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsersTest {
  private static final List<String> PASSWD = List.of("root:x:0:0:root:/root:/bin/sh",
      "www:x:33:33:www:/var/www:/bin/sh", "# comment", "nobody:x:65534:65534::/:/bin/false");
  private static final List<String> GROUP = List.of("root:x:0:", "www:x:33:", "audio:x:29:www,nobody",
      "video:x:44:www");

  @Test
  void namesResolveToUidGidAndSupplementaryGroups() {
    assertThat(Users.resolve("www", PASSWD, GROUP)).isEqualTo(new User(33, 33, List.of(33, 29, 44), null));
    assertThat(Users.resolve("", PASSWD, GROUP)).isEqualTo(new User(0, 0, List.of(0), null));
  }

  @Test
  void numbersNeedNoEntryAndGroupsOverride() {
    assertThat(Users.resolve("1234", PASSWD, GROUP)).isEqualTo(new User(1234, 0, List.of(0), null));
    assertThat(Users.resolve("1234:5678", PASSWD, GROUP)).isEqualTo(new User(1234, 5678, List.of(5678), null));
    assertThat(Users.resolve("www:audio", PASSWD, GROUP)).isEqualTo(new User(33, 29, List.of(29), null));
    assertThat(Users.resolve("33", PASSWD, GROUP).gid()).isEqualTo(33);
  }

  @Test
  void anEmptyGroupPartKeepsThePrimaryGroupWithoutTheGroupFilesMemberships() {
    assertThat(Users.resolve("www:", PASSWD, GROUP)).isEqualTo(new User(33, 33, List.of(33), null));
    assertThat(Users.resolve("33:", List.of("1234"), PASSWD, GROUP))
        .isEqualTo(new User(33, 33, List.of(33, 1234), null));
  }

  @Test
  void aPodsStrictUserWithoutRunAsUserIsTheImagesUserWithAnEmptyGroup() {
    assertThat(ContainerCreateRules.user(":", "1000")).isEqualTo("1000:");
    assertThat(ContainerCreateRules.user(":", "1000:50")).isEqualTo("1000:50");
    assertThat(ContainerCreateRules.user(":", "")).isEqualTo("0:");
    assertThat(ContainerCreateRules.user("", "www")).isEqualTo("www");
    assertThat(ContainerCreateRules.user("33", "www")).isEqualTo("33");
  }

  @Test
  void unknownNamesAreTheCallersError() {
    assertThatThrownBy(() -> Users.resolve("ghost", PASSWD, GROUP))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("unable to find user ghost");
    assertThatThrownBy(() -> Users.resolve("www:ghosts", PASSWD, GROUP))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("unable to find group ghosts");
  }
}
