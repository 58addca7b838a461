package io.synod.samples.counter;

import io.synod.actors.Codec;
import io.synod.actors.SynodGroup;
import io.synod.bootstrap.GroupType;

/** The counter as a standalone node's group type ({@code synod.cluster.groups[i].type}). */
public final class CounterType implements GroupType {

  @Override
  public SynodGroup<CounterCommand, Long> define(String groupId) {
    return SynodGroup.of(groupId, CounterCommand.CODEC, Codec.int64(), CounterMachine::new);
  }
}
