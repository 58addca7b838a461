package io.synod.actors;

/** The leader's queue of waiting commands was full; the command was not applied. Retry later. */
public final class OverloadedException extends SynodException {
  public OverloadedException(String group, String message) {
    super(group, message);
  }
}
