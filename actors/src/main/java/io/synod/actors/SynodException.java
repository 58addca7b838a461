package io.synod.actors;

/**
 * Why a request to a group failed; the {@link java.util.concurrent.CompletionStage} of a {@link
 * GroupClient} call completes exceptionally with one of the subclasses, never hangs. Each says
 * whether the command may still have been applied: {@link RequestTimeoutException}, {@link
 * NotEnoughMembersException}, {@link GroupStoppedException} and {@link SessionExpiredException}
 * leave that open. Until its deadline
 * the group re-submits a waiting command itself, and applies it at most once however often it was
 * submitted; a new {@code propose} after a failure is a new command, so an application that must
 * not apply a command twice makes it idempotent (e.g. carries its own request id in it).
 */
public abstract sealed class SynodException extends RuntimeException
    permits RequestTimeoutException, NotEnoughMembersException, GroupStoppedException, OverloadedException,
        CommandFailedException, CommandExpiredException, GroupExistsException, UnknownGroupException,
        SessionExpiredException {

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
