package io.synod.samples.bench;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;

/**
 * This machine's own limits, which the benchmark's figures are measured against: how often the
 * disk can fsync, and how long a round trip over loopback takes through raw TCP and through
 * Artery (two actor systems, as two nodes talk).
 */
final class Limits {

  /** One measurement: how many, over how long, each one's latency in ns. */
  record Measure(String name, long operations, double seconds, Histogram latency) {
    double perSecond() {
      return operations / seconds;
    }

    double p50Micros() {
      return latency.getValueAtPercentile(50) / 1000.0;
    }
  }

  private Limits() {}

  /** One operation of a measurement (the {@code i}-th), which may throw. */
  private interface Op {
    void run(long i) throws Exception;
  }

  /** Runs {@code op} one at a time for {@code seconds}, recording each one's latency. */
  private static Measure timed(String name, double seconds, Op op) throws Exception {
    Histogram h = new Histogram(3);
    long ops = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      long t = System.nanoTime();
      op.run(ops);
      h.recordValue(System.nanoTime() - t);
      ops++;
    }
    return new Measure(name, ops, (System.nanoTime() - start) / 1e9, h);
  }

  /** One writer: a 64-byte write then {@code FileChannel.force}, as often as the disk allows. */
  static Measure fsync(Path dir, double seconds) throws Exception {
    Files.createDirectories(dir);
    Path file = Files.createTempFile(dir.toAbsolutePath(), "fsync-", ".bin");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(64);
      return timed("disk fsync (64 B write + force)", seconds, i -> {
        b.clear();
        ch.write(b, (i % 1024) * 64);
        ch.force(false);
      });
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** A one-byte ping-pong over a loopback TCP connection (TCP_NODELAY), one at a time. */
  static Measure tcpRoundTrip(double seconds) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread echo = new Thread(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
          s.setTcpNoDelay(true);
          int b;
          while ((b = in.read()) >= 0) {
            out.write(b);
            out.flush();
          }
        } catch (IOException e) {
          // the client closed
        }
      }, "tcp-echo");
      echo.start();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < 10_000; i++) { // warm up
          out.write(1);
          out.flush();
          in.read();
        }
        return timed("TCP round trip (loopback, 1 byte)", seconds, i -> {
          out.write(1);
          out.flush();
          if (in.read() < 0) {
            throw new IOException("the echo closed");
          }
        });
      } finally {
        echo.join(TimeUnit.SECONDS.toMillis(5));
      }
    }
  }

  /** Answers every message with the message itself. */
  static final class Echo extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(m -> getSender().tell(m, getSelf())).build();
    }
  }

  /**
   * One actor system asks an echo actor in another, over Artery on loopback (plain TCP: what TLS
   * adds, the benchmark's TLS and plain rows show side by side), one at a time; the message is a
   * short string.
   */
  static Measure arteryRoundTrip(double seconds) throws Exception {
    String config = "pekko.actor.provider = remote\n"
        + "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }\n"
        + "pekko.loglevel = WARNING\n";
    ActorSystem a = ActorSystem.create("limits", ConfigFactory.parseString(config).withFallback(ConfigFactory.load()));
    ActorSystem b = ActorSystem.create("limits", ConfigFactory.parseString(config).withFallback(ConfigFactory.load()));
    try {
      ActorRef local = b.actorOf(Props.create(Echo.class, Echo::new), "echo");
      Address at = ((ExtendedActorSystem) b).provider().getDefaultAddress();
      Duration timeout = Duration.ofSeconds(5);
      // Resolved once, as the nodes hold their peers' references: a selection is resolved anew at
      // the receiving end for every message.
      ActorRef echo = a.actorSelection(local.path().toStringWithAddress(at)).resolveOne(timeout).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 5_000; i++) { // warm up the connection and the JIT
        Patterns.ask(echo, "ping", timeout).toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      return timed("Artery round trip (plain TCP, two actor systems, loopback)", seconds,
          i -> Patterns.ask(echo, "ping", timeout).toCompletableFuture().get(5, TimeUnit.SECONDS));
    } finally {
      a.terminate();
      b.terminate();
      a.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      b.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
