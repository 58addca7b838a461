package io.synod.actors;

/**
 * The message type of a group's actor, as spawned from {@link SynodGroup#behavior}. What an
 * application may send it are the requests of {@link GroupProtocol} (most easily through a {@link
 * GroupClient}); every other message that implements it is Synod's own.
 */
public interface GroupCommand {}
