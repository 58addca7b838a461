package io.synod.samples.bench;

/**
 * Where a row's clients run: inside the node that leads their group, each a session of its own
 * ({@link LoadGenerator}), or in a separate JVM that sends every command over HTTP to a node, as a
 * remote application uses a standalone node ({@link ExternalLoad}).
 */
enum ClientMode {
  IN_NODE("in-node"),
  EXTERNAL("external");

  private final String tag;

  ClientMode(String tag) {
    this.tag = tag;
  }

  String tag() {
    return tag;
  }
}
