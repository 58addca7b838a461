package io.synod.actors;

import io.synod.actors.ClientSessions.Command;
import io.synod.actors.GroupProtocol.ProposeReply;
import io.synod.paxos.Applied;
import io.synod.paxos.ClientCommand;
import io.synod.paxos.Membership;
import io.synod.paxos.ReadOutcome;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The Java face of one group on this node. Thread-safe; make one per application component and keep
 * it: each client is one exactly-once session of the group (a random 64-bit id, commands numbered
 * upwards from the wall-clock time in nanoseconds), so a command the group re-submits after a lost
 * message or a leader change is applied once.
 *
 * <p>Every call completes, never hangs: with the result, or exceptionally with a {@link
 * SynodException} ({@link RequestTimeoutException}, {@link NotEnoughMembersException}, {@link
 * GroupStoppedException}, {@link OverloadedException}, {@link CommandFailedException}, {@link
 * CommandExpiredException}, {@link SessionExpiredException}) at the latest after {@code
 * synod.client.request-timeout}.
 *
 * <p>The group expires sessions that have had no command applied for {@code
 * synod.group.session-expiry}, or that are the least recently used past {@code
 * synod.group.max-sessions}. A command the group then can no longer tell from one applied before
 * fails with {@link SessionExpiredException}, not applied now (whether it was before is unknown);
 * this client then goes on in a new session, so its next commands work, and the application decides
 * whether to send that one again.
 *
 * <p>When one of the group's roles on this node fails (e.g. a journal write that timed out on a
 * stalled disk), the group restarts them from the journal after a back-off ({@code
 * synod.group.restart}); meanwhile requests through this node fail at once with {@link
 * GroupStoppedException} saying so (the outcome of a command in flight is unknown), and work again
 * once the roles are back, with the same client. {@link #status()} shows the restart state.
 *
 * <p>The returned stages complete on a thread of the actor system (the one that delivers the
 * group's answer), so an action chained to them with a non-async method ({@code thenApply}, {@code
 * whenComplete}) runs there too: keep such actions short and never block in them; hand longer work
 * to an executor of your own ({@code thenApplyAsync(fn, executor)}).
 *
 * <p>At most {@code synod.group.session-window} commands of one client are unanswered at a time (the
 * exactly-once table keeps that many results per client); further ones wait here, in order, until
 * earlier ones are answered.
 */
public final class GroupClient<C, R> {

  /** Why a query that only the group's roles can answer failed: they are down (the coordinator answered instead). */
  private static final String ROLES_DOWN = "its roles on this node are down, restarting after a failure or stopped for"
      + " good; status() says why, and when they try next";

  private final String group;
  private final ActorSystem<?> system;
  private final ActorRef<GroupCommand> ref;
  private final Codec<C> commands;
  private final Codec<R> results;
  private final Duration timeout;
  private final int window;
  private final int maxCommandBytes;
  private final Duration retryInterval;

  private final Object lock = new Object();
  private final ClientSessions sessions;
  /** What is still waiting, failed at once if the group stops: commands, and reads by request id. */
  private final Set<CompletableFuture<?>> pendingCommands = new HashSet<>();
  private final Map<Long, CompletableFuture<?>> pendingReads = new HashMap<>();
  private long nextRequest;
  private String stopped;

  GroupClient(String group, ActorSystem<?> system, ActorRef<GroupCommand> ref, Codec<C> commands, Codec<R> results,
      SynodSettings settings) {
    this.group = group;
    this.system = system;
    this.ref = ref;
    this.commands = commands;
    this.results = results;
    this.timeout = settings.client().requestTimeout();
    this.window = settings.sessionWindow();
    this.maxCommandBytes = settings.maxBatchBytes();
    this.retryInterval = settings.client().retryInterval();
    SecureRandom random = new SecureRandom();
    this.sessions = new ClientSessions(window, random::nextLong, GroupClient::epochNanos);
    system.systemActorOf(groupWatcher(), "synod-client-" + UUID.randomUUID(), Props.empty());
  }

  /** An actor that fails whatever still waits once the group's actor stops. */
  private Behavior<Object> groupWatcher() {
    return Behaviors.setup(ctx -> {
      ctx.watch(ref);
      return Behaviors.receive(Object.class).onSignal(Terminated.class, this::onGroupTerminated).build();
    });
  }

  private Behavior<Object> onGroupTerminated(Terminated t) {
    groupStopped();
    return Behaviors.stopped();
  }

  /**
   * Applies {@code command} to the group's state machine (once) and completes with its result.
   *
   * @throws IllegalArgumentException if the encoded command is larger than {@code
   *     synod.group.max-batch-bytes}
   */
  public CompletionStage<R> propose(C command) {
    return submit(PayloadFormat.frame(PayloadFormat.COMMAND, checkSize(commands.encode(command))),
        deadline());
  }

  private byte[] checkSize(byte[] encoded) {
    if (encoded.length + 1 > maxCommandBytes) {
      throw new IllegalArgumentException("group '" + group + "': a command of " + encoded.length
          + " bytes is larger than synod.group.max-batch-bytes (" + maxCommandBytes + ")");
    }
    return encoded;
  }

  /**
   * A linearizable read: answered by {@link ReplicatedStateMachine#read} at a state that reflects
   * every command acknowledged before this call, on this node: at once when it leads under its
   * lease, otherwise once the leader has confirmed with a quorum that it still leads and this node
   * has applied as far as the leader had assigned (ReadIndex). No log entry is written. While no
   * leader is known it asks again every {@code synod.client.retry-interval}, up to {@code
   * synod.client.request-timeout}.
   */
  public CompletionStage<R> read(C query) {
    byte[] bytes = checkSize(commands.encode(query));
    CompletableFuture<R> answer = new CompletableFuture<>();
    askRead(track(answer), bytes, deadline(), answer);
    return answer;
  }

  private void askRead(long request, byte[] query, long deadline, CompletableFuture<R> answer) {
    Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    direct(AskPattern.<GroupCommand, GroupProtocol.ReadReply>ask(ref,
            replyTo -> new GroupProtocol.Read(query, deadline, replyTo), left, system.scheduler()))
        .whenComplete((reply, failure) -> onReadAnswer(request, query, deadline, answer, reply, failure));
  }

  /** The group's answer to a read: served, or failed, or refused (no read index this time): asked again. */
  private void onReadAnswer(long request, byte[] query, long deadline, CompletableFuture<R> answer,
      GroupProtocol.ReadReply reply, Throwable failure) {
    if (failure != null) {
      untrack(request);
      answer.completeExceptionally(noAnswer(failure));
    } else if (reply instanceof GroupProtocol.Stopped s) {
      untrack(request);
      answer.completeExceptionally(new GroupStoppedException(group, s.reason()));
    } else if (((GroupProtocol.ReadResult) reply).outcome().served()) {
      untrack(request);
      complete(answer, ((GroupProtocol.ReadResult) reply).outcome().result());
    } else if (deadline - System.nanoTime() > retryInterval.toNanos() && !answer.isDone()) {
      system.scheduler().scheduleOnce(retryInterval, () -> askRead(request, query, deadline, answer),
          system.executionContext());
    } else {
      untrack(request);
      answer.completeExceptionally(new RequestTimeoutException(group, "no leader gave this node's read a read index within "
          + timeout));
    }
  }

  /** The node this node believes leads the group (maybe itself), or empty if it knows none. */
  public CompletionStage<Optional<Integer>> leader() {
    return typedFailures(direct(AskPattern.<GroupCommand, Integer>ask(ref, GroupProtocol.Leader::new, timeout,
        system.scheduler())).thenApply(id -> id < 0 ? Optional.<Integer>empty() : Optional.of(id)));
  }

  /**
   * Calls {@code listener} with this node's view of the group's leadership at once, then at every
   * change (another leader, or this node gaining or losing its lease), until the returned handle is
   * closed or the group stops (then with leader -1 and no lease). Calls come one at a time, in
   * order, on a thread of the actor system: keep them short, and never block in them. For master
   * election, see {@link Leadership#isMaster()}.
   */
  public AutoCloseable watchLeadership(Consumer<Leadership> listener) {
    Objects.requireNonNull(listener, "listener");
    return LeadershipWatcher.start(system, group, ref, listener);
  }

  /**
   * Hands the group's leadership to member {@code to}, which may be asked at any node: the leader
   * gives back its lease (no lease reads meanwhile) and tells {@code to} to campaign. Completes
   * once this node sees {@code to} lead; fails with {@link IllegalArgumentException} if {@code to}
   * is not a member or another handover asked at this node is under way (nothing changes then), with
   * {@link RequestTimeoutException} if {@code to} did not take over within the request timeout
   * (each attempt lasts an election timeout, after which the old leader steps down and the group
   * elects whoever campaigns first; this node asks whoever leads again every {@code
   * synod.client.retry-interval} until then), or {@link GroupStoppedException}.
   */
  public CompletionStage<Void> transferLeadership(int to) {
    long deadline = deadline();
    CompletableFuture<Void> done = new CompletableFuture<>();
    direct(AskPattern.<GroupCommand, GroupProtocol.TransferReply>ask(ref,
            replyTo -> new GroupProtocol.TransferLeadership(to, deadline, replyTo), timeout.plusSeconds(1),
            system.scheduler()))
        .whenComplete((reply, failure) -> onTransferReply(done, reply, failure));
    return done;
  }

  private void onTransferReply(CompletableFuture<Void> done, GroupProtocol.TransferReply reply, Throwable failure) {
    if (failure != null) {
      done.completeExceptionally(noAnswer(failure));
    } else if (reply instanceof GroupProtocol.Transferred) {
      done.complete(null);
    } else if (reply instanceof GroupProtocol.TransferRefused r) {
      done.completeExceptionally(new IllegalArgumentException(r.reason()));
    } else if (reply instanceof GroupProtocol.TransferUnavailable u) {
      done.completeExceptionally(new GroupStoppedException(group, u.reason()));
    } else if (reply instanceof GroupProtocol.TransferTimedOut t) {
      done.completeExceptionally(new RequestTimeoutException(group, "node " + t.to() + " did not take over within "
          + timeout + (t.leader() >= 0 ? "; node " + t.leader() + " leads" : "; no leader is known")));
    }
  }

  /**
   * A read of this node's replica as it is, without a lease and without the log: fast, and what a
   * learner-only node (a read replica) serves, but <b>possibly stale</b>: it reflects the instances
   * this node has applied ({@link StaleRead#appliedThrough}), which may lag writes already
   * acknowledged elsewhere. Use {@link #read} for a linearizable read.
   */
  public CompletionStage<StaleRead<R>> readLocal(C query) {
    byte[] bytes = checkSize(commands.encode(query));
    CompletableFuture<StaleRead<R>> answer = new CompletableFuture<>();
    direct(AskPattern.<GroupCommand, ReadOutcome>ask(ref, replyTo -> new GroupProtocol.ReadLocal(bytes, replyTo),
            timeout, system.scheduler()))
        .whenComplete((outcome, failure) -> onLocalRead(answer, outcome, failure));
    return answer;
  }

  private void onLocalRead(CompletableFuture<StaleRead<R>> answer, ReadOutcome outcome, Throwable failure) {
    if (failure != null) {
      answer.completeExceptionally(noAnswer(failure));
      return;
    }
    if (!outcome.served()) {
      answer.completeExceptionally(new GroupStoppedException(group, ROLES_DOWN));
      return;
    }
    CompletableFuture<R> value = new CompletableFuture<>();
    complete(value, outcome.result());
    value.whenComplete((v, f) -> {
      if (f != null) {
        answer.completeExceptionally(f);
      } else {
        answer.complete(new StaleRead<>(v, outcome.appliedThrough()));
      }
    });
  }

  /** The group's membership (voters, learners, epoch) as this node has applied it. */
  public CompletionStage<Membership> membership() {
    return typedFailures(AskPattern.<GroupCommand, Membership>ask(ref, GroupProtocol.GetMembership::new, timeout,
        system.scheduler()));
  }

  /**
   * Adds node {@code node} (which must have an address on every node) as a voter, through the log:
   * it joins as a learner, installs a snapshot and catches up, and then asks to vote itself.
   * Completes with the membership once it votes. Fails with {@link IllegalArgumentException} if the
   * node is unknown or a voter already; with {@link IllegalStateException} if another change asked
   * at this node is under way or the membership changed meanwhile (nothing changed then); with
   * {@link RequestTimeoutException} if it did not complete in the request timeout (a learner that
   * has not caught up yet still becomes a voter once it has).
   */
  public CompletionStage<Membership> addMember(int node) {
    return changeMembership(GroupProtocol.MembershipOp.ADD_VOTER, node);
  }

  /** Adds node {@code node} as a learner: it applies the log but never votes. As {@link #addMember}. */
  public CompletionStage<Membership> addLearner(int node) {
    return changeMembership(GroupProtocol.MembershipOp.ADD_LEARNER, node);
  }

  /**
   * Removes voter or learner {@code node}, through the log. A leader that removes itself hands
   * leadership to a remaining voter once the change is chosen. Fails with {@link
   * IllegalArgumentException} if it is not a member or is the last voter; otherwise as {@link
   * #addMember}.
   */
  public CompletionStage<Membership> removeMember(int node) {
    return changeMembership(GroupProtocol.MembershipOp.REMOVE, node);
  }

  private CompletionStage<Membership> changeMembership(GroupProtocol.MembershipOp op, int node) {
    long deadline = deadline();
    CompletableFuture<Membership> done = new CompletableFuture<>();
    direct(AskPattern.<GroupCommand, GroupProtocol.MembershipReply>ask(ref,
            replyTo -> new GroupProtocol.ChangeMembership(op, node, deadline, replyTo), timeout.plusSeconds(1),
            system.scheduler()))
        .whenComplete((reply, failure) -> onMembershipReply(done, reply, failure));
    return done;
  }

  private void onMembershipReply(CompletableFuture<Membership> done, GroupProtocol.MembershipReply reply,
      Throwable failure) {
    if (failure != null) {
      done.completeExceptionally(noAnswer(failure));
    } else if (reply instanceof GroupProtocol.MembershipChanged c) {
      done.complete(c.membership());
    } else if (reply instanceof GroupProtocol.MembershipRefused r) {
      done.completeExceptionally(switch (r.kind()) {
        case BAD_REQUEST -> new IllegalArgumentException(r.reason());
        case CONFLICT -> new IllegalStateException(r.reason());
        case OVERLOADED -> new OverloadedException(group, r.reason());
        case UNAVAILABLE -> new GroupStoppedException(group, r.reason());
      });
    } else if (reply instanceof GroupProtocol.MembershipTimedOut t) {
      done.completeExceptionally(new RequestTimeoutException(group, t.state()));
    }
  }

  /** Every log instance below the answer is applied to this node's state machine. */
  public CompletionStage<Long> appliedThrough() {
    return typedFailures(
        AskPattern.<GroupCommand, Long>ask(ref, GroupProtocol.AppliedThrough::new, timeout, system.scheduler()))
        .thenCompose(applied -> applied >= 0 ? CompletableFuture.completedFuture(applied)
            : CompletableFuture.failedFuture(new GroupStoppedException(group, ROLES_DOWN)));
  }

  /**
   * The answer of a Pekko ask, as a plain future completed where the answer arrives. The ask's own
   * stage runs every action chained to it asynchronously on the common pool (Scala's future
   * converters make it so), and on a machine with fewer than three cores that pool is replaced by
   * a new thread per action ({@code CompletableFuture}'s fallback): a thread started per command.
   * Synod's own actions on the answer are short, so they run on the thread that delivers it.
   */
  private static <T> CompletableFuture<T> direct(CompletionStage<T> ask) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    ask.whenCompleteAsync((v, f) -> {
      if (f != null) {
        answer.completeExceptionally(f);
      } else {
        answer.complete(v);
      }
    }, Runnable::run);
    return answer;
  }

  /** An ask that got no answer: the group stopped, or it did not answer in time. */
  private SynodException noAnswer(Throwable failure) {
    String why;
    synchronized (lock) {
      why = stopped;
    }
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof org.apache.pekko.pattern.StatusReply.ErrorMessage error) {
      return new GroupStoppedException(group, error.getMessage()); // the group's own word: its roles are down
    }
    if (why == null && cause instanceof java.util.concurrent.TimeoutException
        && String.valueOf(cause.getMessage()).contains("had already been terminated")) {
      // Pekko fails an ask to a stopped actor at once, possibly before this client's watch has
      // told it the group stopped.
      why = "its actor " + ref.path() + " stopped";
    }
    return why != null ? new GroupStoppedException(group, why)
        : new RequestTimeoutException(group, "no answer from the group's actor within " + timeout + " (" + failure + ")");
  }

  private <T> CompletionStage<T> typedFailures(CompletionStage<T> stage) {
    CompletableFuture<T> typed = new CompletableFuture<>();
    direct(stage).whenComplete((v, f) -> {
      if (f != null) {
        typed.completeExceptionally(noAnswer(f));
      } else {
        typed.complete(v);
      }
    });
    return typed;
  }

  /**
   * This node's view of the group: leader, applied and chosen instances, last checkpoint, and
   * whether its roles here run or are restarting after a failure (with the restart count and the
   * last failure). Answered also while the roles restart.
   */
  public CompletionStage<GroupStatus> status() {
    return typedFailures(
        AskPattern.<GroupCommand, GroupStatus>ask(ref, GroupProtocol.Status::new, timeout, system.scheduler()));
  }

  /**
   * Resumes the group on this node after a divergence stopped it here for good, across restarts too
   * (its status's {@code stopped} says why). Completes once the lift is durable and its roles start
   * again from the checkpoint and journal; fails with {@link IllegalStateException} saying why if it
   * did not stop so, stopped for a reason a resumption cannot lift (members configured otherwise
   * than it began with), is still starting, or failed as it started.
   */
  public CompletionStage<Void> resume() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    direct(AskPattern.<GroupCommand, GroupProtocol.ResumeReply>ask(ref, GroupProtocol.Resume::new, timeout,
        system.scheduler())).whenComplete((reply, failure) -> onResumeReply(done, reply, failure));
    return done;
  }

  private void onResumeReply(CompletableFuture<Void> done, GroupProtocol.ResumeReply reply, Throwable failure) {
    if (failure != null) {
      done.completeExceptionally(noAnswer(failure));
    } else if (reply.resumed()) {
      done.complete(null);
    } else {
      done.completeExceptionally(new IllegalStateException(reply.detail()));
    }
  }

  /**
   * A checksum of this node's replicated state of the group and the instance it reflects, to
   * compare replicas. It snapshots the state machine, so it costs as much as a checkpoint.
   */
  public CompletionStage<StateDigest> digest() {
    return typedFailures(AskPattern.<GroupCommand, StateDigest>askWithStatus(ref, GroupProtocol.Digest::new, timeout,
        system.scheduler()));
  }

  public String group() {
    return group;
  }

  // ---- sessions ----

  private CompletionStage<R> submit(byte[] payload, long deadline) {
    CompletableFuture<byte[]> raw = new CompletableFuture<>();
    Command now;
    synchronized (lock) {
      if (stopped != null) {
        return CompletableFuture.failedFuture(new GroupStoppedException(group, stopped));
      }
      pendingCommands.add(raw);
      now = sessions.submit(payload, deadline, raw);
    }
    if (now != null) {
      send(List.of(now));
    }
    CompletableFuture<R> answer = new CompletableFuture<>();
    raw.whenComplete((bytes, failure) -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
      } else {
        complete(answer, bytes);
      }
    });
    return answer;
  }

  /** Sends commands that fit their session's window now; one that waited past its deadline fails unsent. */
  private void send(List<Command> ready) {
    ArrayDeque<Command> work = new ArrayDeque<>(ready);
    while (!work.isEmpty()) {
      Command q = work.poll();
      long left = q.deadline() - System.nanoTime();
      if (left <= 0) {
        work.addAll(release(q, null));
        q.result().completeExceptionally(new RequestTimeoutException(group, "command #" + q.sequence() + " waited "
            + timeout + " for a place in the session window of " + window + " and was not sent"));
        continue;
      }
      ClientCommand command = new ClientCommand(q.clientId(), q.sequence(), q.payload());
      try {
        // The group answers at its first sweep after the deadline; the ask's own timeout is a backstop.
        direct(AskPattern.<GroupCommand, ProposeReply>ask(ref,
                replyTo -> new GroupProtocol.Propose(command, q.deadline(), replyTo),
                Duration.ofNanos(left).plus(retryInterval).plusSeconds(1), system.scheduler()))
            .whenComplete((reply, failure) -> answered(q, reply, failure));
      } catch (RuntimeException e) { // e.g. the actor system is shutting down
        work.addAll(release(q, null));
        q.result().completeExceptionally(noAnswer(e));
      }
    }
  }

  /**
   * {@code q} is answered ({@code reply}, null if it got none): it leaves its window, a new session
   * starts if the group expired the current one, and the commands that now fit are returned.
   */
  private List<Command> release(Command q, ProposeReply reply) {
    synchronized (lock) {
      pendingCommands.remove(q.result());
      if (reply instanceof GroupProtocol.Done d && d.applied().outcome() == Applied.Outcome.SESSION_EXPIRED) {
        return sessions.expired(q, d.applied().expiredThrough());
      }
      return sessions.answered(q);
    }
  }

  private void answered(Command q, ProposeReply reply, Throwable failure) {
    List<Command> ready = release(q, failure == null ? reply : null);
    try {
      complete(q, reply, failure);
    } finally {
      send(ready);
    }
  }

  private void complete(Command q, ProposeReply reply, Throwable failure) {
    if (failure != null) {
      q.result().completeExceptionally(noAnswer(failure));
    } else if (reply instanceof GroupProtocol.Done d) {
      Applied a = d.applied();
      if (a.outcome() == Applied.Outcome.BELOW_WINDOW) {
        q.result().completeExceptionally(new CommandExpiredException(group, "command #" + q.sequence()
            + " reached the log after the client's session window had moved past it"));
      } else if (a.outcome() == Applied.Outcome.SESSION_EXPIRED) {
        q.result().completeExceptionally(new SessionExpiredException(group, "command #" + q.sequence()
            + " was refused, not applied: its session (" + Long.toHexString(q.clientId()) + ") had expired, and the"
            + " group can no longer tell whether it was applied before; this client goes on in a new session"));
      } else {
        q.result().complete(a.result());
      }
    } else if (reply instanceof GroupProtocol.Refused r) {
      q.result().completeExceptionally(new OverloadedException(group, "the leader (node " + r.refusal().leaderHint()
          + ") refused the command: " + r.refusal().reason()));
    } else if (reply instanceof GroupProtocol.TimedOut t) {
      q.result().completeExceptionally(t.reachable() < t.members() / 2 + 1
          ? new NotEnoughMembersException(group, t.reachable(), t.members())
          : new RequestTimeoutException(group, "no answer within " + timeout + " (" + t.reachable() + " of "
              + t.members() + " members reachable)"));
    } else if (reply instanceof GroupProtocol.Stopped s) {
      q.result().completeExceptionally(new GroupStoppedException(group, s.reason()));
    } else {
      q.result().completeExceptionally(new IllegalStateException("group '" + group + "' answered " + reply));
    }
  }

  private long deadline() {
    return System.nanoTime() + timeout.toNanos();
  }

  /** The wall clock in nanoseconds since the epoch: where a new session's sequences start. */
  private static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private long track(CompletableFuture<?> f) {
    synchronized (lock) {
      long id = nextRequest++;
      pendingReads.put(id, f);
      return id;
    }
  }

  private void untrack(long id) {
    synchronized (lock) {
      pendingReads.remove(id);
    }
  }

  private void groupStopped() {
    List<CompletableFuture<?>> fail;
    synchronized (lock) {
      stopped = "its actor " + ref.path() + " stopped";
      fail = new ArrayList<>(pendingCommands);
      fail.addAll(pendingReads.values());
      pendingCommands.clear();
      pendingReads.clear();
      sessions.clear();
    }
    for (CompletableFuture<?> f : fail) {
      f.completeExceptionally(new GroupStoppedException(group, "its actor " + ref.path() + " stopped"));
    }
  }

  private void complete(CompletableFuture<R> answer, byte[] result) {
    if (result == null || result.length == 0) {
      answer.completeExceptionally(new CommandFailedException(group, "the group returned an empty result"));
    } else if (result[0] == PayloadFormat.OK) {
      try {
        answer.complete(results.decode(Arrays.copyOfRange(result, 1, result.length)));
      } catch (RuntimeException e) {
        answer.completeExceptionally(new CommandFailedException(group, "the result codec failed: " + e));
      }
    } else {
      answer.completeExceptionally(new CommandFailedException(group,
          new String(result, 1, result.length - 1, StandardCharsets.UTF_8)));
    }
  }
}
