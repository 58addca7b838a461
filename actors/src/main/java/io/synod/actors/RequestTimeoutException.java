package io.synod.actors;

/**
 * The group did not answer within the client's request timeout although a majority of its members
 * was reachable. The outcome is unknown: the command may yet be applied (once).
 */
public final class RequestTimeoutException extends SynodException {
  public RequestTimeoutException(String group, String message) {
    super(group, message);
  }
}
