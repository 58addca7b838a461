package io.synod.bootstrap;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code java io.synod.bootstrap.NodeLauncher conf/node1.conf}: starts one standalone node and
 * runs until it is stopped (SIGTERM or Ctrl-C stop it gracefully). An invalid configuration exits
 * with code 2 and one line naming the key; a wrong command line with code 64.
 */
public final class NodeLauncher {

  public static final int INVALID_CONFIG = 2;
  public static final int USAGE = 64;

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
    node.system().getWhenTerminated().toCompletableFuture().join();
    return 0;
  }
}
