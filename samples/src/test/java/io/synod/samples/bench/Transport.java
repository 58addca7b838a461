package io.synod.samples.bench;

/**
 * How a benchmark cluster's nodes talk to each other: mutual TLS, each node with its own
 * certificate (the default), or plain TCP. Its line is laid over the cluster's configuration,
 * after the extra HOCON, so a row's tag says what it ran over.
 */
enum Transport {
  TLS("tls", "synod.cluster.insecure = off"),
  PLAIN("plain", "synod.cluster.insecure = on");

  private final String tag;
  private final String config;

  Transport(String tag, String config) {
    this.tag = tag;
    this.config = config;
  }

  String tag() {
    return tag;
  }

  /** The HOCON line that selects this transport. */
  String config() {
    return config;
  }
}
