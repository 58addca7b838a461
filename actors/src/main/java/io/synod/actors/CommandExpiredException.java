package io.synod.actors;

/**
 * The command reached the log after its client had moved more than a session window past it, so
 * it was not applied (exactly-once sessions keep only a window of recent results per client); the
 * session itself is alive. Not {@link SessionExpiredException}, which is a command of a session the
 * group expired.
 */
public final class CommandExpiredException extends SynodException {
  public CommandExpiredException(String group, String message) {
    super(group, message);
  }
}
