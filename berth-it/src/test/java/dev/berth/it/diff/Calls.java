package dev.berth.it.diff;

import static dev.berth.it.diff.Call.delete;
import static dev.berth.it.diff.Call.get;
import static dev.berth.it.diff.Call.head;
import static dev.berth.it.diff.Call.post;
import static dev.berth.it.diff.Call.put;

import dev.berth.it.diff.Call.Body;
import java.util.ArrayList;
import java.util.List;

/**
 * The script: the same calls, in this order, to Berth and to dockerd. Variables: {@code ${image}}
 * (the test busybox, pulled by both), {@code ${subnet}} (a free /24 for network calls), and the
 * IDs saved by earlier calls. Containers run with {@code NetworkMode: none} (the test dockerd
 * has no default bridge).
 */
final class Calls {
  private Calls() {}

  static List<Call> all() {
    List<Call> calls = new ArrayList<>();
    calls.addAll(system());
    calls.addAll(swarmAndPlugins());
    calls.addAll(images());
    calls.addAll(volumes());
    calls.addAll(networks());
    calls.addAll(containers());
    return calls;
  }

  static List<Call> system() {
    return List.of(
        head("/_ping").unversioned().compare(Body.EXACT)
            .headers("Content-Length", "Content-Type", "Cache-Control", "Pragma", "Docker-Experimental", "Ostype"),
        get("/_ping").unversioned().compare(Body.EXACT)
            .headers("Content-Length", "Content-Type", "Cache-Control", "Pragma", "Docker-Experimental", "Ostype"),
        get("/_ping").compare(Body.EXACT).named("GET /v1.41/_ping"),
        get("/version"),
        get("/info"),
        get("/system/df"),
        get("/events?since=1&until=2").compare(Body.JSON_LINES).headers("Content-Type").named("events of the past"),
        get("/events?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D&until=2").named("events with a bad filter"),
        post("/auth").body("{\"serveraddress\":\"${registry}\",\"username\":\"\",\"password\":\"\"}")
            .named("log in to the local registry"),
        get("/nothing/here").named("unknown route"));
  }

  static List<Call> swarmAndPlugins() {
    List<Call> calls = new ArrayList<>(List.of(
        get("/swarm"), post("/swarm/leave"), post("/swarm/leave?force=1"), post("/swarm/update?version=1").body("{}"),
        get("/swarm/unlockkey"), post("/swarm/unlock").body("{}"),
        get("/nodes"), get("/nodes/abc"), post("/nodes/abc/update?version=1").body("{}"), delete("/nodes/abc"),
        get("/tasks"), get("/tasks/abc"), get("/tasks/abc/logs?stdout=1"), get("/tasks/abc/logs"),
        get("/services/abc/logs?stderr=1"), get("/services/abc/logs"),
        get("/plugins"), get("/plugins?filters=%7B%22capability%22%3A%5B%22volumedriver%22%5D%7D"),
        get("/plugins?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D"),
        get("/plugins/abc/json"), get("/plugins/vieux/sshfs:latest/json"), delete("/plugins/abc"),
        post("/plugins/abc/disable"), post("/plugins/abc/set").body("[]"), post("/plugins/abc/push"),
        post("/plugins/abc/enable?timeout=0"), post("/plugins/abc/upgrade?remote=abc").body("[]")));
    for (String kind : List.of("services", "secrets", "configs")) {
      calls.add(get("/" + kind));
      calls.add(post("/" + kind + "/create").body("{}"));
      calls.add(get("/" + kind + "/abc"));
      calls.add(post("/" + kind + "/abc/update?version=1").body("{}"));
      calls.add(delete("/" + kind + "/abc"));
    }
    return calls;
  }

  static List<Call> images() {
    return List.of(
        get("/images/json?filters=%7B%22reference%22%3A%5B%22${image}%22%5D%7D").named("GET /images/json (the image)"),
        get("/images/${image}/json").save("imageId", "/Id").same("/Id", "/RepoTags", "/Config/Cmd", "/Os"),
        get("/images/${image}/history"),
        get("/images/${image}/get").compare(Body.IGNORE).headers("Content-Type").named("save the image"),
        get("/images/json?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D").named("images with a bad filter"),
        get("/images/json?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D").named("dangling images").same(""),
        post("/images/${image}/tag?repo=Bad:Repo").named("tag with a bad repository"),
        delete("/images/nope/missing:1").named("delete a missing image"),
        post("/images/prune?filters=%7B%22label%22%3A%5B%22diff.none%22%5D%7D").named("prune no image")
            .same("/SpaceReclaimed"),
        get("/images/nope/nothing:1/json").named("inspect a missing image"),
        post("/images/${image}/tag?repo=diff/tagged&tag=v1").compare(Body.EXACT),
        get("/images/diff/tagged:v1/json").same("/Id", "/RepoTags"),
        delete("/images/diff/tagged:v1").same(""),
        delete("/images/diff/tagged:v1").named("delete the tag again"),
        get("/distribution/${image}/json").same("/Descriptor", "/Platforms"),
        get("/distribution/${registry}/diff/none:1/json").named("distribution of a missing image"),
        post("/images/load").payload("application/x-tar", "not a tar archive\n".getBytes())
            .compare(Body.JSON_LINES).named("load a bad archive"),
        post("/images/load?quiet=1").payload("application/x-tar", TarBytes.single("foo", "hi\n"))
            .compare(Body.JSON_LINES).named("load a tar that is no image"));
  }

  static List<Call> volumes() {
    return List.of(
        post("/volumes/create").body("{\"Name\":\"dv2\",\"Driver\":\"nope\"}").named("create with a missing driver"),
        post("/volumes/create").body("{\"Name\":\"bad/name\"}").named("create with a bad volume name"),
        post("/volumes/create").body("{\"Name\":\"dv3\",\"DriverOpts\":{\"type\":\"tmpfs\",\"device\":\"tmpfs\"}}")
            .named("create a tmpfs volume").same("/Options", "/Name"),
        get("/volumes/dv3").named("inspect the tmpfs volume").same("/Options"),
        delete("/volumes/dv3").compare(Body.EXACT).named("delete the tmpfs volume"),
        post("/volumes/prune?filters=%7B%22label%22%3A%5B%22diff.none%22%5D%7D").named("prune nothing")
            .same("/VolumesDeleted", "/SpaceReclaimed"),
        post("/volumes/create").body("{\"Name\":\"dv1\",\"Labels\":{\"a\":\"b\"}}").same("/Name", "/Labels", "/Driver"),
        get("/volumes/dv1").same("/Name", "/Labels", "/Scope", "/Options"),
        get("/volumes?filters=%7B%22name%22%3A%5B%22dv1%22%5D%7D").named("GET /volumes (dv1)"),
        post("/volumes/create").body("{\"Name\":\"dv1\"}").named("create the volume again").same("/Name"),
        get("/volumes/nope"),
        delete("/volumes/dv1").compare(Body.EXACT),
        delete("/volumes/dv1").named("delete the volume again"));
  }

  static List<Call> networks() {
    return List.of(
        post("/networks/create").body("{\"Name\":\"dn2\",\"Driver\":\"nope\"}").named("create with a missing driver"),
        post("/networks/create").body("{\"Name\":\"dn3\",\"IPAM\":{\"Config\":[{\"Subnet\":\"nonsense\"}]}}")
            .named("create with a bad subnet"),
        get("/networks/host").same("/Name", "/Driver", "/IPAM", "/Options"),
        get("/networks/none").same("/Name", "/Driver", "/IPAM", "/Options"),
        delete("/networks/host").named("delete the host network"),
        post("/networks/prune?filters=%7B%22label%22%3A%5B%22diff.none%22%5D%7D").named("prune no network")
            .same("/NetworksDeleted"),
        post("/networks/create").body("{\"Name\":\"dn1\",\"CheckDuplicate\":true,\"Labels\":{\"a\":\"b\"},"
            + "\"Options\":{\"com.docker.network.bridge.enable_icc\":\"true\"},"
            + "\"IPAM\":{\"Config\":[{\"Subnet\":\"${subnet}\"}]}}").save("net", "/Id"),
        get("/networks/dn1").same("/Name", "/Options", "/Labels", "/IPAM", "/Internal", "/Driver", "/Containers"),
        get("/networks?filters=%7B%22name%22%3A%5B%22dn1%22%5D%7D").named("GET /networks (dn1)")
            .same("/0/Options", "/0/IPAM"),
        post("/networks/create").body("{\"Name\":\"dn1\",\"CheckDuplicate\":true}").named("create the network again"),
        get("/networks/nope"),
        delete("/networks/dn1").compare(Body.EXACT),
        delete("/networks/dn1").named("delete the network again"));
  }

  static List<Call> containers() {
    String sleeper = "{\"Image\":\"${image}\",\"Cmd\":[\"sleep\",\"300\"],\"HostConfig\":{\"NetworkMode\":\"none\"}}";
    return List.of(
        post("/containers/create?name=dc1").body(sleeper).save("c1", "/Id"),
        post("/containers/create?name=dc1").body(sleeper).named("create a second dc1"),
        post("/containers/create?name=x").body(sleeper).named("create with a one-letter name"),
        post("/containers/create?name=bad%2Fname").body(sleeper).named("create with a bad name"),
        post("/containers/create").body("{\"Image\":\"nope/missing:1\"}").named("create from a missing image"),
        post("/containers/create").body("{\"Image\":\"${image}\",\"HostConfig\":{\"NetworkMode\":\"none\","
            + "\"RestartPolicy\":{\"Name\":\"bogus\"}}}").named("create with a bad restart policy"),
        get("/containers/dc1/json").same("/Name", "/State/Status", "/State/Running", "/State/ExitCode", "/Path",
            "/Args", "/Config/Cmd", "/Config/Image", "/HostConfig/NetworkMode"),
        get("/containers/json?all=1&filters=%7B%22name%22%3A%5B%22dc1%22%5D%7D").named("GET /containers/json (dc1)")
            .same("/0/Names", "/0/Command", "/0/State", "/0/Image"),
        get("/containers/nope/json"),
        post("/containers/nope/start"), post("/containers/nope/stop"), post("/containers/nope/kill"),
        post("/containers/nope/wait"), get("/containers/nope/logs?stdout=1"), delete("/containers/nope"),
        post("/containers/nope/exec").body("{\"Cmd\":[\"true\"]}"), post("/containers/nope/pause"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"true\"]}").named("exec in a created container"),
        post("/containers/dc1/pause").named("pause a created container"),
        post("/containers/${c1}/start").compare(Body.EXACT),
        post("/containers/dc1/start").named("start a running container").compare(Body.EXACT),
        get("/containers/dc1/json").named("inspect a running container").same("/State/Status", "/State/Running"),
        get("/containers/dc1/top"),
        head("/containers/dc1/archive?path=/etc/hostname").compare(Body.IGNORE).named("stat a file (archive HEAD)"),
        head("/containers/dc1/archive?path=/nope").compare(Body.IGNORE).named("stat a missing file"),
        get("/containers/dc1/archive?path=/nope").named("get a missing path"),
        put("/containers/dc1/archive?path=/tmp").payload("application/x-tar", TarBytes.single("put.txt", "put\n"))
            .compare(Body.EXACT).named("put a tar into /tmp"),
        get("/containers/dc1/archive?path=/tmp/put.txt").compare(Body.IGNORE).headers("Content-Type")
            .named("get the file put"),
        put("/containers/dc1/archive?path=/nope").payload("application/x-tar", TarBytes.single("x", "x"))
            .named("put a tar into a missing dir"),
        get("/containers/dc1/changes").same(""),
        get("/containers/dc1/stats?stream=0&one-shot=1").named("one stats reading"),
        get("/containers/dc1/export").compare(Body.IGNORE).headers("Content-Type"),
        post("/containers/dc1/pause").compare(Body.EXACT),
        get("/containers/dc1/json").named("inspect a paused container").same("/State/Status", "/State/Paused"),
        post("/containers/dc1/pause").named("pause a paused container"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"true\"]}").named("exec in a paused container"),
        post("/containers/dc1/unpause").compare(Body.EXACT),
        post("/containers/dc1/unpause").named("unpause a running container"),
        post("/containers/dc1/rename?name=dc1b").compare(Body.EXACT),
        post("/containers/dc1b/rename?name=dc1").compare(Body.EXACT).named("rename it back"),
        post("/containers/dc1/rename?name=dc1").named("rename to its own name"),
        get("/containers/json?filters=%7B%22status%22%3A%5B%22running%22%5D%2C%22name%22%3A%5B%22dc1%22%5D%7D")
            .named("GET /containers/json (running dc1)").same("/0/State", "/0/Names"),
        get("/containers/json?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D").named("list with a bad filter"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"echo\",\"hello\"],\"AttachStdout\":true,\"AttachStderr\":true}")
            .save("e1", "/Id"),
        get("/exec/${e1}/json").same("/Running", "/ExitCode", "/ProcessConfig", "/OpenStdout"),
        post("/exec/${e1}/start").body("{\"Detach\":false,\"Tty\":false}").compare(Body.EXACT)
            .headers("Content-Type").named("start an exec (multiplexed)"),
        get("/exec/${e1}/json").named("inspect a finished exec").same("/Running", "/ExitCode"),
        get("/exec/nope/json"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"echo\",\"hello\"],\"Tty\":true,\"AttachStdout\":true}")
            .save("e2", "/Id").named("create an exec with a TTY"),
        post("/exec/${e2}/start").body("{\"Detach\":false,\"Tty\":false}").compare(Body.EXACT)
            .headers("Content-Type").named("start a TTY exec with Tty false (multiplexed)"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"echo\",\"hello\"],\"Tty\":true,\"AttachStdout\":true}")
            .save("e3", "/Id").named("create another exec with a TTY"),
        post("/exec/${e3}/start").body("{\"Detach\":false,\"Tty\":true}").compare(Body.EXACT)
            .headers("Content-Type").named("start a TTY exec with Tty true (raw)"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"id\"],\"User\":\"nobody:nogroup\",\"AttachStdout\":true}")
            .save("e4", "/Id").named("create an exec as user:group by name"),
        post("/exec/${e4}/start").body("{\"Detach\":false,\"Tty\":false}").compare(Body.EXACT)
            .named("run an exec as user:group by name"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"id\"],\"User\":\"nosuch\",\"AttachStdout\":true}")
            .save("e7", "/Id").named("create an exec as an unknown user"),
        post("/exec/${e7}/start").body("{\"Detach\":false,\"Tty\":false}").compare(Body.EXACT)
            .named("run an exec as an unknown user"),
        get("/exec/${e7}/json").same("/ExitCode", "/Running").named("inspect the exec of an unknown user"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"pwd\"],\"WorkingDir\":\"/nonexistent\","
            + "\"AttachStdout\":true,\"AttachStderr\":true}").save("e5", "/Id").named("create an exec in a missing dir"),
        post("/exec/${e5}/start").body("{\"Detach\":false,\"Tty\":false}").compare(Body.IGNORE)
            .named("run an exec in a missing dir"),
        get("/exec/${e5}/json").same("/ExitCode", "/Running").named("inspect the exec in a missing dir"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"true\"],\"DetachKeys\":\"ctrl-x,y\"}").save("e6", "/Id")
            .named("create an exec with detach keys"),
        get("/exec/${e6}/json").same("/DetachKeys").named("inspect the exec with detach keys"),
        post("/containers/dc1/exec").body("{\"Cmd\":[\"true\"],\"DetachKeys\":\"ctrl-\"}")
            .named("create an exec with bad detach keys"),
        post("/containers/dc1/update").body("{\"Memory\":4194304}").named("update: memory below 6MB"),
        post("/containers/dc1/update").body("{\"Memory\":104857600}").named("update: memory above the swap limit"),
        post("/containers/dc1/update").body("{\"Memory\":314572800,\"MemorySwap\":314572800}")
            .named("update: memory and swap").same("/Warnings"),
        post("/containers/dc1/update").body("{\"NanoCpus\":100000000000}").named("update: more CPUs than the host's"),
        post("/containers/dc1/update").body("{\"NanoCpus\":500000000}").named("update: half a CPU").same("/Warnings"),
        post("/containers/dc1/update").body("{\"CpuQuota\":50000}").named("update: quota after NanoCpus"),
        post("/containers/dc1/update").body("{\"PidsLimit\":50,\"CpuShares\":512,\"CpusetCpus\":\"0\","
            + "\"MemoryReservation\":52428800}").named("update: pids, shares, cpuset, reservation").same("/Warnings"),
        post("/containers/dc1/update").body("{\"CpusetCpus\":\"0-63\"}").named("update: CPUs the host lacks"),
        post("/containers/dc1/update").body("{\"KernelMemory\":10485760}").named("update: kernel memory")
            .same("/Warnings"),
        post("/containers/dc1/update").body("{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}")
            .named("update: restart policy").same("/Warnings"),
        post("/containers/dc1/update").body("{\"RestartPolicy\":{\"Name\":\"bogus\"}}").named("update: a bad policy"),
        get("/containers/dc1/json").named("inspect after update").same("/HostConfig/Memory", "/HostConfig/MemorySwap",
            "/HostConfig/MemoryReservation", "/HostConfig/NanoCpus", "/HostConfig/CpuShares", "/HostConfig/CpusetCpus",
            "/HostConfig/PidsLimit", "/HostConfig/RestartPolicy", "/HostConfig/CpuQuota", "/HostConfig/CpuPeriod"),
        post("/containers/nope/update").body("{\"CpuShares\":512}").named("update a missing container"),
        post("/containers/dc1/kill?signal=TERM").compare(Body.EXACT).named("SIGTERM to a sleep that ignores it"),
        get("/containers/dc1/json").named("inspect after an ignored SIGTERM").same("/State/Status", "/State/Running"),
        post("/containers/dc1/kill").compare(Body.EXACT),
        get("/containers/dc1/json").named("inspect right after kill").same("/State/Status", "/State/Running",
            "/State/ExitCode", "/State/OOMKilled"),
        post("/containers/dc1/wait").same("/StatusCode", "/Error"),
        get("/containers/dc1/json").named("inspect after kill").same("/State/Status", "/State/Running",
            "/State/ExitCode", "/State/OOMKilled", "/State/Error"),
        post("/containers/dc1/kill").named("kill a stopped container"),
        post("/containers/dc1/stop").named("stop a stopped container").compare(Body.EXACT),
        get("/containers/dc1/logs?stdout=1&stderr=1").compare(Body.EXACT),
        get("/containers/dc1/logs").named("logs without a stream"),
        post("/commit?container=dc1&pause=1&repo=diff/committed&tag=1").body("{}").save("commitId", "/Id")
            .named("commit a stopped container with pause=1"),
        delete("/images/diff/committed:1").named("remove the committed image"),
        post("/containers/create?name=dc2").body("{\"Image\":\"${image}\",\"Cmd\":[\"echo\",\"out\"],"
            + "\"HostConfig\":{\"NetworkMode\":\"none\"}}").save("c2", "/Id"),
        post("/containers/dc2/start").compare(Body.EXACT),
        post("/containers/dc2/wait").same("/StatusCode"),
        post("/containers/dc2/attach?stream=0&logs=1&stdout=1").compare(Body.EXACT).headers("Content-Type")
            .named("attach stream=0 logs=1 replays the log"),
        post("/containers/dc2/attach?stream=0&logs=0&stdout=1").compare(Body.EXACT)
            .named("attach stream=0 logs=0 returns at once"),
        post("/containers/dc2/attach?logs=1&stdout=1").compare(Body.EXACT)
            .named("attach without stream (its default is false)"),
        delete("/containers/dc2").compare(Body.EXACT),
        delete("/containers/dc1").compare(Body.EXACT),
        delete("/containers/dc1").named("remove a removed container"));
  }
}
