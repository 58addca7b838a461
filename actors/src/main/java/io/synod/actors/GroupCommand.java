package io.synod.actors;

/**
 * The message type of a group's actor, as spawned from {@link SynodGroup#behavior}. Only Synod's
 * own (internal) messages implement it: talk to the group through a {@link GroupClient}.
 */
public interface GroupCommand {}
