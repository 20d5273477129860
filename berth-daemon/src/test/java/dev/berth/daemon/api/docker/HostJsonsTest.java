package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.HostOptions;
import org.junit.jupiter.api.Test;

/** The create body's HostConfig fields of HostOptions, Config.Volumes, NetworkDisabled, and the refusals. */
class HostJsonsTest {
  private static ContainerConfig create(String json) throws Exception {
    return ContainerJsons.fromCreate(Json.MAPPER.readTree(json));
  }

  @Test
  void hostConfigFieldsMapOntoHostOptions() throws Exception {
    ContainerConfig c = create("""
        {"Image":"i","NetworkDisabled":true,"Volumes":{"/data":{}},
         "HostConfig":{"GroupAdd":["audio"],"PidMode":"host","IpcMode":"none","UTSMode":"host","CgroupnsMode":"private",
           "Devices":[{"PathOnHost":"/dev/null","PathInContainer":"","CgroupPermissions":""}],
           "DeviceCgroupRules":["c 1:3 rwm"],"MemoryReservation":8388608,"MemorySwappiness":-1,"OomKillDisable":true,
           "ShmSize":1048576,"Sysctls":{"net.ipv4.ip_forward":"1"},"Dns":["1.1.1.1"],"DnsSearch":["a"],
           "DnsOptions":["ndots:2"],"ExtraHosts":["db:1.2.3.4"],"OomScoreAdj":5,"Annotations":{"a":"b"},
           "Links":["/db:/web/alias"],"LogConfig":{"Type":"local"}}}""");
    HostOptions h = c.host();
    assertThat(c.networkMode()).as("NetworkDisabled").isEqualTo("none");
    assertThat(c.storage().volumes()).containsExactly("/data");
    assertThat(h.groupAdd()).containsExactly("audio");
    assertThat(h.pidMode() + h.ipcMode() + h.utsMode() + h.cgroupnsMode()).isEqualTo("hostnonehostprivate");
    assertThat(h.devices()).containsExactly(HostOptions.DeviceMapping.of("/dev/null", "/dev/null", "rwm"));
    assertThat(h.memorySwappiness()).as("-1 is unset").isNull();
    assertThat(h.oomKillDisable()).isTrue();
    assertThat(h.sysctls()).containsEntry("net.ipv4.ip_forward", "1");
    assertThat(h.links()).containsExactly(new HostOptions.Link("db", "db", "alias"));
    assertThat(c.logConfig().driver()).isEqualTo("local");
    assertThat(HostJsons.links("web", h)).containsExactly("/db:/web/alias");
  }

  @Test
  void fieldsBerthDoesNotHonourAreRefusedByNameUnlessZero() throws Exception {
    assertThatThrownBy(() -> create("{\"Image\":\"i\",\"HostConfig\":{\"BlkioWeight\":10}}"))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageStartingWith("HostConfig.BlkioWeight is not supported by Berth: ");
    assertThatThrownBy(() -> create("{\"Image\":\"i\",\"Shell\":[\"sh\"]}")).hasMessageStartingWith("Shell is not");
    // UsernsMode is read (the engine checks its value): berthd's --userns-remap, or host
    assertThat(create("{\"Image\":\"i\",\"HostConfig\":{\"UsernsMode\":\"host\"}}").host().usernsMode())
        .isEqualTo("host");
    assertThatThrownBy(() -> create("{\"Image\":\"i\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"IPAMConfig\":"
        + "{\"IPv6Address\":\"::2\"}}}}}")).hasMessageContaining("IPAMConfig.IPv6Address");
    assertThatThrownBy(() -> create("{\"Image\":\"i\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/x\","
        + "\"Target\":\"/y\",\"BindOptions\":{\"NonRecursive\":true}}]}}")).hasMessageContaining("BindOptions.NonRecursive");
    // what clients send by default: zero values, nulls, empty lists and maps
    create("""
        {"Image":"i","MacAddress":"","OnBuild":null,"Shell":[],
         "HostConfig":{"BlkioWeight":0,"BlkioWeightDevice":[],"CgroupParent":"","CpusetMems":"","DeviceRequests":null,
           "KernelMemory":0,"StorageOpt":{},"UsernsMode":"host","VolumeDriver":"","MaskedPaths":null,"Cgroup":"",
           "CpuCount":0,"Isolation":"default"},
         "NetworkingConfig":{"EndpointsConfig":{"bridge":{"Links":null,"DriverOpts":{},"MacAddress":""}}}}""");
  }
}
