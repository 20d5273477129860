package dev.berth.engine.build;

import dev.berth.engine.BerthException;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImagePuller;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.BasicCredentials;
import dev.berth.engine.image.registry.RegistryClient;
import java.util.Optional;
import java.util.function.Function;

/** FROM's and COPY --from's images: the local one, else (or with {@code pull}) pulled for this host's platform. */
final class BaseImages {
  private final ImageService images;
  private final Function<Function<String, Optional<BasicCredentials>>, RegistryClient> registries;

  BaseImages(ImageService images, Function<Function<String, Optional<BasicCredentials>>, RegistryClient> registries) {
    this.images = images;
    this.registries = registries;
  }

  /** The image {@code name} names here, if any; never pulls. */
  Optional<Image> local(String name) {
    return images.lookup(name);
  }

  Image resolve(String name, boolean pull, Function<String, Optional<BasicCredentials>> auth) {
    Optional<Image> local;
    Reference ref;
    try {
      local = images.lookup(name);
      ref = Reference.parse(name);
    } catch (BerthException.InvalidArgument e) {
      if (images.lookup(name).isPresent()) {
        return images.find(name);
      }
      throw new BuildException("invalid reference format: " + name + ": " + e.getMessage(), 1, e);
    }
    if (local.isPresent() && !pull) {
      return local.get();
    }
    try {
      ImagePuller.Result r = new ImagePuller(images).pull(registries.apply(auth), ref, Platform.host(), e -> {});
      return r.image();
    } catch (BerthException | java.io.UncheckedIOException e) {
      throw new BuildException(e.getMessage(), 1, e);
    }
  }
}
