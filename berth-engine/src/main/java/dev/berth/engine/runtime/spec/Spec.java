package dev.berth.engine.runtime.spec;

import java.util.List;
import java.util.Map;

/** The whole {@code config.json} of a bundle. */
public record Spec(
    String ociVersion,
    ProcessSpec process,
    Root root,
    String hostname,
    String domainname,
    List<Mount> mounts,
    Linux linux,
    Map<String, String> annotations) {

  /** The spec version runc 1.1 and crun 1.8 both accept. */
  public static final String OCI_VERSION = "1.0.2";
}
