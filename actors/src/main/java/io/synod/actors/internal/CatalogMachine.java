package io.synod.actors.internal;

import io.synod.actors.ReplicatedStateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The group catalog's state machine on one node: {@link CatalogState} under Synod's {@link
 * ReplicatedStateMachine}, checkpointed in {@link CatalogCodec}'s format. After a change it applied
 * or a checkpoint it restored it calls {@code changed}, which only nudges this node's {@link
 * GroupReconciler} to read the state again (through the group, as any reader does), so a machine
 * made only to check a peer's checkpoint nudges it in vain, harmlessly.
 */
final class CatalogMachine implements ReplicatedStateMachine<CatalogCommand, CatalogResult> {

  private final Runnable changed;
  private CatalogState state = CatalogState.EMPTY;

  CatalogMachine(Runnable changed) {
    this.changed = changed;
  }

  @Override
  public CatalogResult apply(long instance, CatalogCommand command) {
    CatalogState.Outcome outcome = state.apply(command);
    boolean change = outcome.state() != state;
    state = outcome.state();
    if (change) {
      changed.run();
    }
    return outcome.result();
  }

  @Override
  public CatalogResult read(CatalogCommand query) {
    return state.read(query);
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    out.write(CatalogCodec.encode(state));
  }

  @Override
  public void restore(InputStream in) throws IOException {
    state = CatalogCodec.decodeState(in.readAllBytes());
    changed.run();
  }
}
