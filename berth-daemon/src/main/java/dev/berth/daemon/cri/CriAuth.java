package dev.berth.daemon.cri;

import dev.berth.cri.api.v1.AuthConfig;
import dev.berth.engine.BerthException;
import dev.berth.engine.image.registry.BasicCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A PullImage's AuthConfig as credentials for the image's registry. kubelet fills it from the
 * pod's image pull secrets: username and password, or {@code auth} (base64 of user:password),
 * or a token. A token (identity or registry) is offered as the password, with the given user
 * name or {@code <token>} (docker's placeholder for token logins), to the registry's basic or
 * token auth; Berth stores none of it.
 */
final class CriAuth {
  private CriAuth() {}

  static Optional<BasicCredentials> credentials(AuthConfig auth) {
    if (auth == null) {
      return Optional.empty();
    }
    String user = auth.getUsername();
    String password = auth.getPassword();
    if (user.isEmpty() && password.isEmpty() && !auth.getAuth().isEmpty()) {
      String pair;
      try {
        pair = new String(Base64.getDecoder().decode(auth.getAuth().strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new BerthException.InvalidArgument("AuthConfig.auth is not base64 of user:password");
      }
      int colon = pair.indexOf(':');
      if (colon <= 0) {
        throw new BerthException.InvalidArgument("AuthConfig.auth does not decode to user:password");
      }
      user = pair.substring(0, colon);
      password = pair.substring(colon + 1);
    }
    if (password.isEmpty()) {
      String token = !auth.getIdentityToken().isEmpty() ? auth.getIdentityToken() : auth.getRegistryToken();
      if (!token.isEmpty()) {
        return Optional.of(new BasicCredentials(user.isEmpty() ? "<token>" : user, token));
      }
    }
    if (user.isEmpty() && password.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new BasicCredentials(user, password));
  }
}
