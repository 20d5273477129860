package dev.berth.engine.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MountPlannerTest {
  private static MountPoint bind(String spec) {
    return MountPlanner.parseBind(spec).point();
  }

  @Test
  void namedVolumeWithModes() {
    MountPoint m = bind("data:/var/lib/data:ro");
    assertThat(m.type()).isEqualTo(MountType.VOLUME);
    assertThat(m.name()).isEqualTo("data");
    assertThat(m.destination()).isEqualTo("/var/lib/data");
    assertThat(m.rw()).isFalse();
    assertThat(m.copyUp()).isTrue();
    assertThat(m.anonymous()).isFalse();
    assertThat(bind("data:/d").mode()).isEqualTo("z");
    assertThat(bind("data:/d:nocopy").copyUp()).isFalse();
    assertThat(bind("data:/d:rw,nocopy").rw()).isTrue();
  }

  @Test
  void hostPathIsABindThatMayBeCreated() {
    MountPlanner.Planned p = MountPlanner.parseBind("/srv/www/../site/:/usr/share/html/:ro");
    assertThat(p.point().type()).isEqualTo(MountType.BIND);
    assertThat(p.point().source()).isEqualTo("/srv/site");
    assertThat(p.point().destination()).isEqualTo("/usr/share/html");
    assertThat(p.point().rw()).isFalse();
    assertThat(p.point().mode()).isEqualTo("ro");
    assertThat(p.point().propagation()).isEqualTo("rprivate");
    assertThat(p.point().copyUp()).isFalse();
    assertThat(p.createSource()).isTrue();
    assertThat(bind("/a:/b:rshared").propagation()).isEqualTo("rshared");
  }

  @Test
  void aPathAloneIsAnAnonymousVolume() {
    MountPoint m = bind("/data");
    assertThat(m.type()).isEqualTo(MountType.VOLUME);
    assertThat(m.name()).isEmpty();
    assertThat(m.anonymous()).isTrue();
    assertThat(m.rw()).isTrue();
  }

  @Test
  void badBindSpecsSayWhatIsWrong() {
    assertThatThrownBy(() -> bind("data:relative")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("invalid volume specification: 'data:relative'")
        .hasMessageContaining("mount path must be absolute");
    assertThatThrownBy(() -> bind("/x:/")).hasMessageContaining("destination can't be '/'");
    assertThatThrownBy(() -> bind("/x:/y:rx")).hasMessageContaining("invalid mode: rx");
    assertThatThrownBy(() -> bind("/x:/y:ro,rw")).hasMessageContaining("invalid mode: ro,rw");
    assertThatThrownBy(() -> bind("/data:ro")).hasMessageContaining("a mode needs a source");
    assertThatThrownBy(() -> bind("a:/b:ro:x")).hasMessageContaining("invalid volume specification");
    assertThatThrownBy(() -> bind("")).hasMessageContaining("invalid volume specification");
    assertThatThrownBy(() -> bind("b@d:/x")).hasMessageContaining("includes invalid characters for a local volume name");
    assertThatThrownBy(() -> bind("v:/x:rshared")).hasMessageContaining("bind mounts only");
  }

  @Test
  void mountRequestsAreCheckedAsDockerChecksThem() {
    MountPoint ro = MountPlanner.fromRequest(request(MountType.BIND, "/srv", "/s", true)).point();
    assertThat(ro.rw()).isFalse();
    assertThat(ro.mode()).isEmpty();
    assertThat(MountPlanner.fromRequest(request(MountType.BIND, "/srv", "/s", false)).createSource()).isFalse();
    assertThatThrownBy(() -> MountPlanner.fromRequest(request(MountType.BIND, "", "/s", false)))
        .hasMessage("invalid mount config for type \"bind\": field Source must not be empty");
    assertThatThrownBy(() -> MountPlanner.fromRequest(request(MountType.TMPFS, "x", "/s", false)))
        .hasMessage("invalid mount config for type \"tmpfs\": field Source must not be specified");
    assertThatThrownBy(() -> MountPlanner.fromRequest(request(MountType.VOLUME, "v", "", false)))
        .hasMessage("invalid mount config for type \"volume\": field Target must not be empty");
    MountPoint anon = MountPlanner.fromRequest(request(MountType.VOLUME, "", "/a", false)).point();
    assertThat(anon.anonymous()).isTrue();
    MountPoint tmpfs = MountPlanner.fromRequest(new MountRequest(MountType.TMPFS, "", "/t", false, "", false, null,
        null, null, 1 << 20, 01770)).point();
    assertThat(tmpfs.tmpfsOptions()).containsExactly("noexec", "nosuid", "nodev", "size=1048576", "mode=1770");
    assertThat(tmpfs.listed()).isTrue();
  }

  @Test
  void readOnlyForceRecursiveNeedsReadOnlyAndPrivatePropagationAsMobyChecksIt() {
    MountPoint rro = MountPlanner.fromRequest(new MountRequest(MountType.BIND, "/srv", "/s", true, "", false, null,
        null, null, 0, 0, "", true)).point();
    assertThat(rro.recursiveReadOnly()).isTrue();
    assertThat(rro.propagation()).isEqualTo("rprivate");
    assertThatThrownBy(() -> MountPlanner.fromRequest(new MountRequest(MountType.BIND, "/srv", "/s", false, "", false,
        null, null, null, 0, 0, "", true)))
        .hasMessage("invalid mount config for type \"bind\": option ReadOnlyForceRecursive requires ReadOnly");
    assertThatThrownBy(() -> MountPlanner.fromRequest(new MountRequest(MountType.BIND, "/srv", "/s", true, "rslave",
        false, null, null, null, 0, 0, "", true)))
        .hasMessage("invalid mount config for type \"bind\": option ReadOnlyForceRecursive requires "
            + "BindOptions.Propagation to be 'rprivate'");
  }

  @Test
  void tmpfsGetsDockersDefaultsAndTheUsersOptionsWin() {
    MountPoint t = MountPlanner.tmpfs("/run/", "exec,size=64m").point();
    assertThat(t.destination()).isEqualTo("/run");
    assertThat(t.tmpfsOptions()).containsExactly("nosuid", "nodev", "exec", "size=64m");
    assertThat(t.listed()).isFalse();
    assertThat(MountPlanner.tmpfs("/t", "").point().tmpfsOptions()).containsExactly("noexec", "nosuid", "nodev");
    assertThatThrownBy(() -> MountPlanner.tmpfs("/t", "bogus")).hasMessageContaining("invalid tmpfs option \"bogus\"");
    assertThatThrownBy(() -> MountPlanner.tmpfs("/t", "colour=red")).hasMessageContaining("invalid tmpfs option");
    assertThatThrownBy(() -> MountPlanner.tmpfs("t", "")).hasMessageContaining("mount path must be absolute");
  }

  @Test
  void duplicatesAreRefusedAndImageVolumesFillTheRest() {
    assertThatThrownBy(() -> MountPlanner.plan(List.of("vol:/data", "/h:/data/"), List.of(), Map.of(), List.of()))
        .hasMessage("Duplicate mount point: /data");
    assertThatThrownBy(() -> MountPlanner.plan(List.of("vol:/t"), List.of(), Map.of("/t", ""), List.of()))
        .hasMessage("Duplicate mount point: /t");
    List<MountPlanner.Planned> plan = MountPlanner.plan(List.of("/h:/data/sub", "vol:/data"), List.of(), Map.of(),
        List.of("/data", "/cache"));
    assertThat(plan).extracting(p -> p.point().destination()).containsExactly("/data", "/cache", "/data/sub");
    assertThat(plan.get(0).point().name()).isEqualTo("vol"); // the user's mount wins over the image's VOLUME
    assertThat(plan.get(1).point().anonymous()).isTrue();
  }

  private static MountRequest request(MountType type, String source, String target, boolean readOnly) {
    return new MountRequest(type, source, target, readOnly, "", false, null, null, null, 0, 0);
  }

  @Test
  void volumesFromBringsVolumesAndBindsButTheContainersOwnMountsWin() {
    List<MountPoint> source = List.of(
        new MountPoint(MountType.VOLUME, "shared", "/v/shared/_data", "/data", true, "z", "", true, List.of(), false,
            true),
        new MountPoint(MountType.BIND, "", "/srv", "/srv", true, "", "rprivate", false, List.of(), false, true),
        new MountPoint(MountType.TMPFS, "", "", "/t", true, "", "", false, List.of(), false, true));
    List<MountPoint> ro = MountPlanner.inherit("web:ro", source);
    assertThat(ro).extracting(MountPoint::destination).containsExactly("/data", "/srv");
    assertThat(ro).allMatch(m -> !m.rw());
    assertThat(MountPlanner.inherit("web", source).getFirst().rw()).isTrue();
    assertThat(MountPlanner.volumesFromContainer("web:ro")).isEqualTo("web");
    assertThatThrownBy(() -> MountPlanner.inherit("web:rx", source)).hasMessageContaining("invalid mode: rx");

    List<MountPlanner.Planned> plan = MountPlanner.plan(List.of("/mine:/srv"), List.of(), Map.of(),
        MountPlanner.inherit("web", source), List.of("/data"));
    assertThat(plan).extracting(p -> p.point().destination() + " " + p.point().source())
        .containsExactlyInAnyOrder("/srv /mine", "/data /v/shared/_data");
  }

  @Test
  void aVolumeSubpathIsRelativeInsideTheVolumeAndNeedsANamedVolume() {
    MountRequest named = new MountRequest(MountType.VOLUME, "data", "/d", false, "", false, null, "", null, 0, 0,
        "sub/./dir");
    MountPoint p = MountPlanner.fromRequest(named).point();
    assertThat(p.subpath()).isEqualTo("sub/dir");
    assertThat(p.copyUp()).as("a subpath is never filled from the image").isFalse();
    assertThat(p.withVolume("data", "/v/data/_data").mountedSource()).isEqualTo("/v/data/_data/sub/dir");
    for (String bad : java.util.List.of("/abs", "../up", "a/../../up")) {
      assertThatThrownBy(() -> MountPlanner.fromRequest(new MountRequest(MountType.VOLUME, "data", "/d", false, "",
          false, null, "", null, 0, 0, bad))).hasMessageContaining("subpath must be a relative path within the volume");
    }
    assertThatThrownBy(() -> MountPlanner.fromRequest(new MountRequest(MountType.VOLUME, "", "/d", false, "", false,
        null, "", null, 0, 0, "sub"))).hasMessageContaining("needs a named volume");
  }
}
