package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.ApiError;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.BasicCredentials;
import dev.berth.engine.image.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Images in and out of the daemon: push, save, load, import, and the login check. */
public final class ImageTransferRoutes {
  private final Engine engine;

  public ImageTransferRoutes(Engine engine) {
    this.engine = engine;
  }

  public void register(Router router) {
    router.get("/images/get", this::saveMany);
    router.post("/images/load", this::load);
    router.post("/auth", this::auth);
    router.get("/images/{name:.*}/get", this::saveOne);
    router.post("/images/{name:.*}/push", this::push);
  }

  /** {@code POST /images/create?fromSrc=-}: the import half of the create endpoint. */
  void importImage(ApiRequest req, ApiResponse res, String fromSrc) throws IOException {
    if (!fromSrc.equals("-")) {
      throw new BerthException.InvalidArgument("importing from a URL is not supported: download the file and "
          + "import it from standard input (fromSrc=-)");
    }
    Optional<Reference> tag = req.query("repo").filter(r -> !r.isEmpty())
        .map(r -> Reference.parse(r + req.query("tag").filter(t -> !t.isEmpty()).map(t -> ":" + t).orElse("")));
    List<String> changes = new ArrayList<>(req.queryAll("changes"));
    Image image = engine.importer().importTarball(req.body(), tag, changes, req.query("message").orElse(""));
    ProgressStream progress = new ProgressStream(res);
    progress.event(new dev.berth.engine.image.PullEvent.Status(null, image.id().toString()));
    progress.close();
  }

  private void push(ApiRequest req, ApiResponse res) throws IOException {
    String name = req.pathParam("name");
    Optional<String> tag = req.query("tag").filter(t -> !t.isEmpty());
    Reference repo = Reference.parse(name);
    List<Reference> targets = new ArrayList<>();
    if (tag.isPresent()) {
      targets.add(repo.withTag(tag.get()));
    } else if (name.contains(":") && name.lastIndexOf(':') > name.lastIndexOf('/')) {
      targets.add(repo);
    } else {
      // docker push NAME without a tag pushes every tag of that repository
      for (Image image : engine.images().list()) {
        image.repoTags().stream().filter(t -> t.name().equals(repo.name())).forEach(targets::add);
      }
      if (targets.isEmpty()) {
        throw new BerthException.NotFound("An image does not exist locally with the tag: " + repo.familiarName());
      }
    }
    for (Reference target : targets) {
      engine.images().find(target.toString()); // a missing tag is a 404 before the stream starts
    }
    Optional<BasicCredentials> auth = RegistryAuth.decode(req.header("X-Registry-Auth"));
    ProgressStream progress = new ProgressStream(res);
    try (RegistryClient client = engine.registry(domain -> auth)) {
      for (Reference target : targets) {
        var result = engine.pusher().push(client, target, progress::event);
        progress.aux(Map.of("Tag", target.tag(), "Digest", result.digest().toString(), "Size", result.size()));
      }
    } catch (RuntimeException e) {
      if (!progress.started()) {
        throw e;
      }
      progress.error(e.getMessage());
    }
    progress.close();
  }

  private void saveOne(ApiRequest req, ApiResponse res) throws IOException {
    save(List.of(req.pathParam("name")), res);
  }

  private void saveMany(ApiRequest req, ApiResponse res) throws IOException {
    save(req.queryAll("names"), res);
  }

  private void save(List<String> names, ApiResponse res) throws IOException {
    for (String name : names) {
      engine.images().find(name); // fail with 404 before the tar starts
    }
    try (OutputStream out = res.stream(200, "application/x-tar")) {
      engine.archive().save(names, out);
    }
  }

  /** As dockerd: always 200, and an archive it cannot load is an error message in the stream. */
  private void load(ApiRequest req, ApiResponse res) throws IOException {
    List<String> lines = new ArrayList<>();
    ProgressStream progress = new ProgressStream(res);
    try {
      engine.loader().load(req.body(), lines::add);
      // docker prints these lines even with --quiet; quiet only hides progress bars
      lines.forEach(l -> progress.stream(l + "\n"));
    } catch (dev.berth.engine.sys.NoSpaceLeft e) {
      // dockerd's 500; the client still sends the archive, and answering before it is read
      // whole would leave it a broken pipe instead of this message.
      drain(req.body());
      throw e;
    } catch (BerthException e) {
      lines.forEach(l -> progress.stream(l + "\n"));
      progress.error(e.getMessage());
    }
    progress.close();
  }

  private static void drain(InputStream body) {
    try {
      body.transferTo(OutputStream.nullOutputStream());
    } catch (IOException gone) {
      // the client hung up: nobody waits for the answer
    }
  }

  private void auth(ApiRequest req, ApiResponse res) throws IOException {
    JsonNode body = req.jsonBody(JsonNode.class);
    String user = body.path("username").asText("");
    String password = body.path("password").asText("");
    String server = body.path("serveraddress").asText("");
    String domain = server.isEmpty() || server.contains("index.docker.io") ? Reference.DOCKER_HUB
        : server.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
    // Without credentials this asks whether the registry needs none (dockerd's answer then is a success).
    Optional<BasicCredentials> credentials = user.isEmpty() && password.isEmpty() ? Optional.empty()
        : Optional.of(new BasicCredentials(user, password));
    try (RegistryClient client = engine.registry(d -> credentials)) {
      client.ping(domain);
    } catch (BerthException.InvalidArgument refused) {
      throw new ApiError(401, "login to " + domain + " failed: " + refused.getMessage());
    }
    res.json(200, Map.of("Status", "Login Succeeded", "IdentityToken", ""));
  }
}
