package io.synod.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;

/**
 * Measures, side by side in one run: this disk's raw fsync rate, an Artery round trip between two
 * local actor systems, and Synod's commits per second and latency on three local nodes (three
 * actor systems in this JVM, each with its own journal, fsync on) for a one-member group (the
 * local path alone: no network, one fsync), one group with one client, one group with 64
 * concurrent clients, and 100 groups with one client each. Each client runs a
 * closed loop (one 100-byte command at a time) against the group's leader node; latency is from
 * {@code propose} to its result. Not a test: see README for how to run it.
 *
 * <p>Arguments (optional): {@code seconds-per-measurement} (default 5). {@code
 * -Dsynod.bench.config="..."} lays HOCON over the nodes' configuration, to compare settings.
 */
public final class GroupBenchmark {

  private static final int VALUE_BYTES = 100;

  /** Applies nothing but a count: the benchmark measures replication, not the application. */
  static final class Sink implements ReplicatedStateMachine<byte[], byte[]> {
    private long applied;

    @Override
    public byte[] apply(long instance, byte[] command) {
      applied++;
      return new byte[] {1};
    }

    @Override
    public byte[] read(byte[] query) {
      return ByteBuffer.allocate(8).putLong(applied).array();
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      out.write(ByteBuffer.allocate(8).putLong(applied).array());
    }

    @Override
    public void restore(InputStream in) throws IOException {
      applied = ByteBuffer.wrap(in.readNBytes(8)).getLong();
    }
  }

  private static final Codec<byte[]> BYTES = Codec.of(b -> b, b -> b);

  /** {@code instances}: log instances the measured commands took (-1 where that means nothing). */
  record Result(String name, long operations, double seconds, Histogram latency, long instances) {
    Result(String name, long operations, double seconds, Histogram latency) {
      this(name, operations, seconds, latency, -1);
    }

    double perSecond() {
      return operations / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    System.out.printf(Locale.ROOT, "BENCH secondsPerMeasurement=%.1f cores=%d valueBytes=%d%n", seconds,
        Runtime.getRuntime().availableProcessors(), VALUE_BYTES);
    List<Result> results = new ArrayList<>();
    results.add(rawFsync(seconds));
    print(results.get(0));
    // Extra configuration for experiments, e.g. -Dsynod.bench.config="synod.persistence.journal.fsync = off".
    Config extra = ConfigFactory.parseString(System.getProperty("synod.bench.config", ""));
    System.out.println("BENCH config=" + extra.root().render(ConfigRenderOptions.concise()));
    try (LocalCluster cluster = LocalCluster.start(3, extra)) {
      results.add(arteryRoundTrip(cluster, seconds));
      print(results.get(1));
      results.add(groups(cluster, "1-member group (no network), 1 client", List.of(0), 1, 1, seconds));
      print(results.get(2));
      results.add(groups(cluster, "1 group, 1 client", List.of(0, 1, 2), 1, 1, seconds));
      print(results.get(3));
      results.add(groups(cluster, "1 group, 64 clients", List.of(0, 1, 2), 1, 64, seconds));
      print(results.get(4));
      results.add(groups(cluster, "100 groups, 1 client each", List.of(0, 1, 2), 100, 1, seconds));
      print(results.get(5));
    }
    System.out.println();
    System.out.println("| measurement | ops/s | p50 µs | p99 µs | p99.9 µs |");
    System.out.println("|---|---|---|---|---|");
    for (Result r : results) {
      System.out.printf(Locale.ROOT, "| %s | %,.0f | %,d | %,d | %,d |%n", r.name(), r.perSecond(),
          r.latency().getValueAtPercentile(50) / 1000, r.latency().getValueAtPercentile(99) / 1000,
          r.latency().getValueAtPercentile(99.9) / 1000);
    }
    System.exit(0);
  }

  private static void print(Result r) {
    System.out.printf(Locale.ROOT,
        "BENCH-RESULT name=\"%s\" ops=%d ops/s=%.0f p50us=%d p99us=%d p999us=%d commandsPerInstance=%.1f%n",
        r.name(), r.operations(), r.perSecond(), r.latency().getValueAtPercentile(50) / 1000,
        r.latency().getValueAtPercentile(99) / 1000, r.latency().getValueAtPercentile(99.9) / 1000,
        r.instances() > 0 ? (double) r.operations() / r.instances() : Double.NaN);
  }

  /** One writer: a 64-byte write then {@code force}, as often as the disk allows. */
  private static Result rawFsync(double seconds) throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "group-benchmark"));
    Path file = Files.createTempFile(dir.toAbsolutePath(), "fsync-", ".bin");
    Histogram h = new Histogram(3);
    long ops = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(64);
      long end = System.nanoTime() + (long) (seconds * 1e9);
      long start = System.nanoTime();
      while (System.nanoTime() < end) {
        long t = System.nanoTime();
        b.clear();
        ch.write(b, (ops % 1024) * 64);
        ch.force(false);
        h.recordValue(System.nanoTime() - t);
        ops++;
      }
      return new Result("raw fsync (64 B write + force)", ops, (System.nanoTime() - start) / 1e9, h);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Answers every message with the message itself. */
  static final class Echo extends org.apache.pekko.actor.AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(m -> getSender().tell(m, getSelf())).build();
    }
  }

  /**
   * Node 0 asks an echo actor on node 1 and waits for the answer, one at a time; the message is a
   * small Synod protocol message, so it crosses Artery with Synod's own serializer.
   */
  private static Result arteryRoundTrip(LocalCluster cluster, double seconds) throws Exception {
    cluster.node(1).system().actorOf(org.apache.pekko.actor.Props.create(Echo.class, Echo::new), "echo");
    var echo = cluster.node(0).system().actorSelection(cluster.node(1).path("/user/echo"));
    Object ping = new io.synod.paxos.Message.LeaderSeen(0, io.synod.paxos.Ballot.ZERO);
    for (int i = 0; i < 2000; i++) { // warm up the connection and the JIT
      Patterns.ask(echo, ping, Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    Histogram h = new Histogram(3);
    long ops = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      long t = System.nanoTime();
      Patterns.ask(echo, ping, Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      h.recordValue(System.nanoTime() - t);
      ops++;
    }
    return new Result("Artery round trip (ask, loopback)", ops, (System.nanoTime() - start) / 1e9, h);
  }

  private static int runs;

  /** {@code groups} groups on {@code members}; {@code clients} closed-loop clients per group on its leader's node. */
  private static Result groups(LocalCluster cluster, String name, List<Integer> members, int groups, int clients,
      double seconds) throws Exception {
    int run = ++runs;
    List<GroupClient<byte[], byte[]>> all = new ArrayList<>();
    List<GroupClient<byte[], byte[]>> onePerGroup = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      SynodGroup<byte[], byte[]> def = SynodGroup.of("bench-" + run + "-" + g, BYTES, BYTES, Sink::new);
      List<ActorRef<GroupCommand>> refs = new ArrayList<>();
      for (int m : members) {
        LocalCluster.Node n = cluster.node(m);
        refs.add(Adapter.spawn(n.system(), def.behavior(n.synod(), members, n.synod().settings()), def.id()));
      }
      GroupClient<byte[], byte[]> first = def.client(cluster.node(0).synod(), refs.get(0));
      first.propose(new byte[VALUE_BYTES]).toCompletableFuture().get(60, TimeUnit.SECONDS);
      int leader = first.leader().toCompletableFuture().get(10, TimeUnit.SECONDS).orElse(0);
      for (int c = 0; c < clients; c++) {
        all.add(def.client(cluster.node(leader).synod(), refs.get(leader)));
      }
      onePerGroup.add(all.get(all.size() - 1));
    }
    warmUp(all, Math.min(seconds, 2));
    ConcurrentHistogram h = new ConcurrentHistogram(3);
    AtomicLong ops = new AtomicLong();
    long instancesBefore = instances(onePerGroup);
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (GroupClient<byte[], byte[]> c : all) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      loop(c, end, h, ops, done);
      loops.add(done);
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get((long) seconds + 60, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Result(name, ops.get(), elapsed, h, instances(onePerGroup) - instancesBefore);
  }

  /** Log instances applied on the leaders' nodes, summed over the groups. */
  private static long instances(List<GroupClient<byte[], byte[]>> onePerGroup) throws Exception {
    long sum = 0;
    for (GroupClient<byte[], byte[]> c : onePerGroup) {
      sum += c.appliedThrough().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    return sum;
  }

  private static void warmUp(List<GroupClient<byte[], byte[]>> clients, double seconds) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (GroupClient<byte[], byte[]> c : clients) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      loop(c, end, new ConcurrentHistogram(3), new AtomicLong(), done);
      loops.add(done);
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get((long) seconds + 60, TimeUnit.SECONDS);
  }

  private static void loop(GroupClient<byte[], byte[]> client, long end, ConcurrentHistogram h, AtomicLong ops,
      CompletableFuture<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete(null);
      return;
    }
    long t = System.nanoTime();
    client.propose(new byte[VALUE_BYTES]).whenComplete((r, f) -> {
      if (f != null) {
        done.completeExceptionally(f);
        return;
      }
      h.recordValue(System.nanoTime() - t);
      ops.incrementAndGet();
      loop(client, end, h, ops, done);
    });
  }
}
