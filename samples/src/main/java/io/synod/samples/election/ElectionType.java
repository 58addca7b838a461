package io.synod.samples.election;

import io.synod.actors.SynodGroup;
import io.synod.bootstrap.GroupType;

/** The election group as a standalone node's group type ({@code synod.cluster.groups[i].type}). */
public final class ElectionType implements GroupType {

  @Override
  public SynodGroup<ElectionCommand, JobRecord> define(String groupId) {
    return SynodGroup.of(groupId, ElectionCommand.CODEC, JobRecord.CODEC, ElectionMachine::new);
  }
}
