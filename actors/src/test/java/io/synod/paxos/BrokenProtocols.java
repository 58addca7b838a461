package io.synod.paxos;

import io.synod.paxos.Message.AcceptedValue;
import io.synod.paxos.Message.Promise;
import io.synod.paxos.sim.SimProtocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Deliberately broken protocol variants, to prove the simulation catches real bugs. They live in
 * test code and override package-private seams of the roles, so no user of the library can reach
 * them.
 */
public final class BrokenProtocols {

  private BrokenProtocols() {}

  /** The shell sends an acceptor's promises and acceptances before their records are durable. */
  public static final SimProtocol ANSWERS_BEFORE_PERSIST = new Variant("answers-before-persist") {
    @Override
    public boolean repliesBeforePersist() {
      return true;
    }
  };

  /** An acceptor that takes accepts below the ballot it promised. */
  public static final SimProtocol ACCEPTS_BELOW_PROMISE = new Variant("accepts-below-promise") {
    @Override
    public Acceptor acceptor(GroupConfig config, List<AcceptorRecord> records) {
      Acceptor a = new Acceptor(config) {
        @Override
        boolean mayAccept(Ballot ballot) {
          return true;
        }
      };
      a.replay(records);
      return a;
    }
  };

  /** A new leader that ignores the accepted values its promises report. */
  public static final SimProtocol IGNORES_PROMISED_VALUES = new Variant("ignores-promised-values") {
    @Override
    public Proposer proposer(GroupConfig config, RandomGenerator random) {
      return new Proposer(config, random, new ProposerParts() {
        @Override
        public PromiseTally promiseTally(long from, Membership membership) {
          return new PromiseTally(from, membership) {
            @Override
            List<AcceptedValue> acceptedReportedIn(Promise promise) {
              return List.of();
            }
          };
        }
      });
    }
  };

  /**
   * A leader that answers reads locally whenever it believes it leads, lease or not. Check-quorum
   * alone bounds that belief to the leader's own lease, shorter than an acceptor's, which would hide
   * the missing lease; this leader checks its quorum over four
   * leases instead, as with a tuning whose election timeout is longer than the lease.
   */
  public static final SimProtocol READS_WITHOUT_LEASE = new Variant("reads-without-lease") {
    @Override
    public Proposer proposer(GroupConfig config, RandomGenerator random) {
      return new Proposer(config, random, new ProposerParts() {
        @Override
        public LeaderLease lease(GroupConfig config) {
          return new LeaderLease(config.tuning().leaderLeaseTicks()) {
            @Override
            boolean covers(long now) {
              return true; // asked only while leading
            }
          };
        }

        @Override
        public QuorumCheck quorumCheck(GroupConfig config, Set<Integer> silentPeers, long now) {
          return new QuorumCheck(config.self(), 4L * config.tuning().leaseTicks(), silentPeers, now);
        }
      });
    }
  };

  /**
   * A node that takes its own learner's progress for the read index the leader gave it: a follower
   * serves a read from whatever it has applied, however far behind the leader it is.
   */
  public static final SimProtocol FOLLOWER_READS_OWN_INDEX = new Variant("follower-reads-own-index") {
    @Override
    public Proposer proposer(GroupConfig config, RandomGenerator random) {
      return new Proposer(config, random) {
        @Override
        public Decision handle(Message.ToProposer message) {
          if (message instanceof Message.ReadIndexReply r && !r.isRefused()) {
            message = new Message.ReadIndexReply(r.from(), r.readId(), -1, r.leaderHint());
          }
          return super.handle(message);
        }
      };
    }
  };

  /** A leader that never checks its quorum: cut off by a partition, it leads on until the partition heals. */
  public static final SimProtocol NO_CHECK_QUORUM = new Variant("no-check-quorum") {
    @Override
    public Proposer proposer(GroupConfig config, RandomGenerator random) {
      return new Proposer(config, random, new ProposerParts() {
        @Override
        public QuorumCheck quorumCheck(GroupConfig config, Set<Integer> silentPeers, long now) {
          return neverLost(config, silentPeers, now);
        }
      });
    }
  };

  private static QuorumCheck neverLost(GroupConfig config, Set<Integer> silentPeers, long now) {
    return new QuorumCheck(config.self(), config.tuning().electionTimeoutTicks(), silentPeers, now) {
      @Override
      boolean lost(long now, Collection<Membership> live) {
        return false;
      }
    };
  }

  /** A proposer deaf to its node's failure detector: a follower of a quiet group never notices its leader died. */
  public static final SimProtocol IGNORES_PEER_NEWS = new Variant("ignores-peer-news") {
    @Override
    public Proposer proposer(GroupConfig config, RandomGenerator random) {
      return new Proposer(config, random) {
        @Override
        public Decision onPeerNews(PeerLiveness.News news) {
          return Decision.NONE;
        }
      };
    }
  };

  /** The instance at which {@link #APPLIES_ANOTHER_VALUE} applies another value than the chosen one. */
  public static final long FORGED_INSTANCE = 3;

  /**
   * A learner of node 0 that applies, at instance {@link #FORGED_INSTANCE} of each group, another
   * value than the one chosen, to the same effect: the chosen commands and, after them, the last of
   * them once more (answered again, or refused again, from the session table, which changes
   * nothing), or for a no-op, a no-op in the format before values carried a stamp. The state
   * machine, the membership and the session table stay as on the other replicas (and it is the same
   * at every replay of that instance, so no command is applied at two instances either); the node
   * reports the chosen value as learned and serves it to peers. Only its applied history differs:
   * what a replica's memory or a bug between the log and the state machine can do, and what the
   * checksum chain is there to catch.
   */
  public static final SimProtocol APPLIES_ANOTHER_VALUE = new Variant("applies-another-value") {
    @Override
    public Learner learner(GroupConfig config, StateMachine stateMachine, RandomGenerator random) {
      if (config.self() != 0) {
        return super.learner(config, stateMachine, random);
      }
      return new Learner(config, stateMachine, random) {
        @Override
        Value toApply(long instance, Value chosen) {
          if (instance != FORGED_INSTANCE) {
            return chosen;
          }
          List<ClientCommand> commands = new ArrayList<>(chosen.commands());
          if (commands.isEmpty()) {
            byte[] unstamped = {1, 0, 0, 0, 0}; // version 1, no commands: a no-op, stamp 0 as every no-op's
            return Value.fromWire(unstamped, Value.checksum(unstamped));
          }
          commands.add(commands.get(commands.size() - 1));
          return Value.of(commands, chosen.stamp());
        }
      };
    }
  };

  /**
   * Node 0's learners expire client sessions after a millisecond of the log's time, while its peers
   * keep theirs for the configured expiry: a node configured unlike its peers. Its answers to
   * clients differ from the others' (a refusal where they apply, or the reverse), so its state may
   * too; its session table differs from theirs as soon as a session goes idle.
   */
  public static final SimProtocol EXPIRES_SESSIONS_ITS_OWN_WAY = new Variant("expires-sessions-its-own-way") {
    @Override
    public Learner learner(GroupConfig config, StateMachine stateMachine, RandomGenerator random) {
      if (config.self() != 0) {
        return super.learner(config, stateMachine, random);
      }
      GroupConfig hasty = new GroupConfig(config.group(), config.self(), config.members(), config.learners(),
          config.joining(), config.tuning().withSessionExpiryMillis(1));
      return new Learner(hasty, stateMachine, random);
    }
  };

  private static class Variant implements SimProtocol {
    private final String name;

    Variant(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }
  }
}
