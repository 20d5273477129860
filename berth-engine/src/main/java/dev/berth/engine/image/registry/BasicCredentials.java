package dev.berth.engine.image.registry;

/** A user name and password (or token) for one registry. */
public record BasicCredentials(String username, String password) {
  @Override
  public String toString() {
    return "BasicCredentials[username=" + username + ", password=***]";
  }
}
