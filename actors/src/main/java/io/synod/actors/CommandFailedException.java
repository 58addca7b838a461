package io.synod.actors;

/**
 * The command was chosen, but the state machine (or the command codec) threw while applying it, on
 * every replica alike; the state is unchanged. The message carries the exception's class and text.
 */
public final class CommandFailedException extends SynodException {
  public CommandFailedException(String group, String message) {
    super(group, message);
  }
}
