package io.synod.samples.kv;

import io.synod.actors.SynodGroup;
import io.synod.bootstrap.GroupType;

/** A shard of the key-value store as a group type: configure groups "kv-0" ... "kv-(n-1)" with it. */
public final class KvType implements GroupType {

  @Override
  public SynodGroup<KvCommand, KvResult> define(String groupId) {
    return SynodGroup.of(groupId, KvCommand.CODEC, KvResult.CODEC, KvMachine::new);
  }
}
