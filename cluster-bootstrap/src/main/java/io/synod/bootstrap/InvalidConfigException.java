package io.synod.bootstrap;

/** A node's configuration is wrong; the message names the key's full path and what is wrong with it. */
public final class InvalidConfigException extends RuntimeException {
  public InvalidConfigException(String message) {
    super(message);
  }
}
