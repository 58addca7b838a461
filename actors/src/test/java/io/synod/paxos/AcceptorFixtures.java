package io.synod.paxos;

import static io.synod.paxos.Fixtures.config;
import static io.synod.paxos.Fixtures.value;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;

/** The acceptor of node 1 that the acceptor tests drive, with the ballots and values they use. */
final class AcceptorFixtures {

  static final GroupConfig CONFIG = config(1).build();
  static final int LEASE = CONFIG.tuning().leaseTicks();

  static final Ballot B12 = new Ballot(1, 2);
  static final Ballot B23 = new Ballot(2, 3);
  static final Value V0 = value("v0");
  static final Value V1 = value("v1");
  static final Value V3 = value("v3");
  static final Value V5 = value("v5");

  private AcceptorFixtures() {}

  /** An acceptor recovered from {@code records} whose restart grace is over. */
  static Acceptor ready(AcceptorRecord... records) {
    Acceptor a = Acceptor.recover(CONFIG, List.of(records));
    for (int i = 0; i < LEASE; i++) {
      assertSame(Decision.NONE, a.onTick());
    }
    return a;
  }
}
