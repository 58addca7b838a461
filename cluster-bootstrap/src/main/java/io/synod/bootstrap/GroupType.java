package io.synod.bootstrap;

import io.synod.actors.SynodGroup;

/**
 * What a standalone node needs to run a group it reads from its configuration ({@code
 * synod.cluster.groups[i].type} names an implementation): the group's definition, its codecs and
 * state machine, for a group id. Implementations need a public no-argument constructor.
 */
public interface GroupType {

  SynodGroup<?, ?> define(String groupId);
}
