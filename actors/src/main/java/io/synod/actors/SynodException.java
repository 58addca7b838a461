package io.synod.actors;

/**
 * Why a request to a group failed; the {@link java.util.concurrent.CompletionStage} of a {@link
 * GroupClient} call completes exceptionally with one of the subclasses, never hangs. Each says
 * whether the command may still have been applied: only {@link RequestTimeoutException} and
 * {@link NotEnoughMembersException} leave that open (retrying the same command through the same
 * client is then safe: it is applied at most once while it is within the session window).
 */
public abstract sealed class SynodException extends RuntimeException
    permits RequestTimeoutException, NotEnoughMembersException, GroupStoppedException, OverloadedException,
        CommandFailedException, CommandExpiredException {

  private final String group;

  SynodException(String group, String message) {
    super("group '" + group + "': " + message);
    this.group = group;
  }

  /** The group the request was for. */
  public String group() {
    return group;
  }
}
