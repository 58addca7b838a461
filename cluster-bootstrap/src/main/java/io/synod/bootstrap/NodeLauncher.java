package io.synod.bootstrap;

import io.synod.persistence.JournalFailedException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code java io.synod.bootstrap.NodeLauncher conf/node1.conf}: starts one standalone node and
 * runs until it is stopped (SIGTERM or Ctrl-C stop it gracefully, exit code 0). An invalid
 * configuration exits with code 2 and one line naming the key; a wrong command line with code 64.
 *
 * <p>If the node's journal fails (a write or fsync failed: the journal fail-stops, see {@code
 * JournalFailedException}, and every group of the node stops), the node stops and the process
 * exits with code {@value #JOURNAL_FAILED} (sysexits' EX_IOERR) and one line on standard error,
 * {@code synod: node N stops: the journal failed: <reason>; restart the process to recover from
 * what is on disk}. A supervisor (systemd, Kubernetes) should restart it: recovery re-reads what is
 * really on disk. A group whose roles fail otherwise (a write that timed out on a stalled disk)
 * restarts them itself, and the node stays up.
 *
 * <p>If the node's file configures a group of the same id as one created at runtime (see {@code
 * GroupCatalog}), the node stops as soon as its replica of the catalog shows it, with exit code
 * {@value #INVALID_CONFIG} and one line naming the group, {@code synod: node N stops: group 'x' was
 * created at runtime (...), but ...; remove it from synod.cluster.groups}.
 */
public final class NodeLauncher {

  public static final int INVALID_CONFIG = 2;
  public static final int USAGE = 64;
  /** The node's journal failed; restarting the process recovers from what is on disk. */
  public static final int JOURNAL_FAILED = 74;

  private NodeLauncher() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Starts the node and waits for it to stop; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 1) {
      err.println("usage: NodeLauncher <node.conf>");
      return USAGE;
    }
    NodeConfig config;
    try {
      config = NodeConfig.load(Path.of(args[0]));
    } catch (InvalidConfigException e) {
      err.println("synod: invalid configuration in " + args[0] + ": " + e.getMessage());
      return INVALID_CONFIG;
    }
    RunningNode node;
    try {
      node = RunningNode.start(config);
    } catch (InvalidConfigException | IllegalArgumentException e) {
      err.println("synod: invalid configuration in " + args[0] + ": " + e.getMessage());
      return INVALID_CONFIG;
    }
    out.println("synod: node " + config.self() + " listening at " + config.member().address() + " with data in "
        + config.dataDir() + ", running groups " + node.groups().keySet());
    return awaitExit(config.self(), node.synod().journalFailure(), node.catalog().conflict(),
        node.system().getWhenTerminated(), node::close, err);
  }

  /**
   * Waits until the node stops ({@code terminated}: 0), its journal fails, or it finds a group both
   * configured and created at runtime ({@code conflict}): then prints one line, stops the node with
   * {@code stop} and returns {@link #JOURNAL_FAILED} or {@link #INVALID_CONFIG}.
   */
  static int awaitExit(int self, CompletionStage<JournalFailedException> journalFailure,
      CompletionStage<String> conflict, CompletionStage<?> terminated, Runnable stop, PrintStream err) {
    CompletableFuture<Object> ended = new CompletableFuture<>();
    journalFailure.thenAccept(ended::complete);
    conflict.thenAccept(ended::complete);
    terminated.thenRun(() -> ended.complete(0));
    Object why = ended.join();
    int code;
    if (why instanceof JournalFailedException e) {
      err.println("synod: node " + self + " stops: the journal failed: " + oneLine(e.getMessage())
          + "; restart the process to recover from what is on disk");
      code = JOURNAL_FAILED;
    } else if (why instanceof String clash) {
      err.println("synod: node " + self + " stops: " + oneLine(clash) + "; remove it from synod.cluster.groups");
      code = INVALID_CONFIG;
    } else {
      return 0;
    }
    try {
      stop.run();
    } catch (RuntimeException stopFailed) {
      // The exit code and the line above say what matters; the process ends either way.
      err.println("synod: node " + self + " did not stop cleanly: " + String.valueOf(stopFailed.getMessage())
          .lines().findFirst().orElse(""));
    }
    return code;
  }

  private static String oneLine(String s) {
    return String.valueOf(s).replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
