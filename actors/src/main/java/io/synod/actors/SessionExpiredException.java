package io.synod.actors;

/**
 * The command was refused and not applied now: its client's session had expired (no command of it
 * was applied for {@code synod.group.session-expiry}, or it was the least recently used past {@code
 * synod.group.max-sessions}), and the group can no longer tell whether this command was applied
 * before that. So whether it ever took effect is unknown, as after a {@link RequestTimeoutException};
 * the application decides whether to send it again. The {@link GroupClient} goes on in a new
 * session, so its next commands work. Not {@link CommandExpiredException}, which is a command below
 * the window of a session that is still alive.
 */
public final class SessionExpiredException extends SynodException {
  public SessionExpiredException(String group, String message) {
    super(group, message);
  }
}
