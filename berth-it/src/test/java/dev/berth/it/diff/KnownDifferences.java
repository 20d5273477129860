package dev.berth.it.diff;

import java.util.List;

/**
 * The differences from dockerd 20.10 that stay, each with its reason: deliberate ones (also in
 * docs/compatibility.md, "Known differences"), and those that other work of issue 14 owns (named
 * so; the harness lists a known difference no call shows any more as unused).
 */
final class KnownDifferences {
  private KnownDifferences() {}

  static final List<Known> ALL = List.of(
      Known.of("\\| \\$(\\[\\])?\\.EnableIPv4: berth has it",
          "API 1.47's key: Berth answers with API 1.51's network shape at every version"),
      Known.of("^inspect a missing image \\| message: berth \"No such image: nope/nothing:1\"",
          "dockerd 20.10 says the reference twice; Berth says it once, as later dockerd"),
      Known.of("^distribution of a missing image \\| message: berth \"Manifest \\$\\{registry}/diff/none:1 not found: registry",
          "Berth's registry errors name the image and the registry and keep the registry's own code"),
      Known.of("^load a (bad archive|tar that is no image) \\| error message",
          "Berth's words for a bad archive; dockerd's name its temp dir or tar's exit status"),
      Known.of("^GET /images/\\$\\{image}/json \\| \\$\\.(Config\\.\\w+|Container|ContainerConfig): berth lacks it",
          "image inspect has API 1.51's shape: empty config keys left out, no Container/ContainerConfig (gone in 1.45)"),
      Known.of("^GET /images/diff/tagged:v1/json \\| \\$\\.(Config\\.\\w+|Container|ContainerConfig): berth lacks it",
          "image inspect has API 1.51's shape: empty config keys left out, no Container/ContainerConfig (gone in 1.45)"),
      Known.of("/json \\| \\$\\.GraphDriver\\.Data\\.(MergedDir|UpperDir|WorkDir): berth lacks it",
          "an image has no upper or work dir in Berth's layer store (dockerd names the image's own top layer's)"),
      Known.of("^GET /images/json \\(the image\\) \\| \\$\\[\\]\\.RepoDigests: berth array, dockerd null",
          "dockerd 20.10 records no repo digest for an image pulled by an OCI manifest; Berth does, as later dockerd"),
      Known.of("\\| \\$(\\[\\])?\\.NetworkSettings\\.Networks\\.\\w+\\.(DNSNames|GwPriority): berth has it",
          "an endpoint has API 1.51's shape at every version (DNSNames since 1.44, GwPriority since 1.48)"),
      Known.of("^tag with a bad repository \\| (status: berth 400, dockerd 500|message)",
          "Berth answers a bad reference with 400 and says which part is wrong; dockerd 20.10 answers 500"),
      Known.of("^create with a bad subnet \\| (status: berth 400, dockerd 500|message)",
          "Berth answers a bad subnet with 400 (a client's error) and its own words; dockerd 20.10 answers 500"),
      Known.of("^unpause a running container \\| status: berth 409, dockerd 500",
          "Berth answers 409 (a conflict with the container's state), in dockerd's words; dockerd 20.10 answers 500"),
      Known.of("^create with a missing driver \\| message: berth \"Create dv2: error looking up volume plugin nope: plugin"
          + " \"nope\" not found \\(Berth has the local driver only\\)\"",
          "Berth adds which volume driver it has"),
      Known.of("^GET /info \\| \\$\\.(BridgeNf\\w+|ContainerdCommit|RuncCommit|InitCommit|InitBinary|GenericResources|"
          + "HttpProxy|HttpsProxy|NoProxy|KernelMemory|KernelMemoryTCP|Plugins\\.Authorization|RegistryConfig\\.\\w+(\\.docker\\.io)?|"
          + "Runtimes\\.io\\.containerd\\.[\\w.]+|Swarm\\.RemoteManagers): berth lacks it",
          "pending: /info leaves out what Berth does not have (containerd, init and runc commits, proxies, kernel"
          + " memory accounting, containerd's runtime names); not in this branch's scope"),
      Known.of("^GET /system/df \\| \\$\\.(BuildCache: berth array, dockerd null|BuilderSize: berth lacks it|"
          + "Images\\[\\]\\.VirtualSize: berth lacks it)",
          "/system/df has API 1.51's shape (BuildCache a list, no BuilderSize or VirtualSize) at every version"),
      Known.of("^events with a bad filter \\| (status: berth 400, dockerd 200|body)",
          "Berth refuses an unknown event filter with 400; dockerd 20.10 ignores it"),
      Known.of("^one stats reading \\| \\$\\.memory_stats\\.stats\\.\\w+: berth has it",
          "Berth passes on every memory.stat key the kernel has; containerd's v1 metrics keep a fixed older set"),
      Known.of("^exec in a paused container \\| message: berth \"Container \\$\\{c1} is paused",
          "pending: ContainerService's exec messages name the container by ID (#14 item 9, branch supervision)"));
}
