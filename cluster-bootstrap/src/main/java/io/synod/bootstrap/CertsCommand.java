package io.synod.bootstrap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.synod.bootstrap.tls.ClusterCertificates;
import io.synod.bootstrap.tls.TlsFiles;
import io.synod.bootstrap.tls.TlsFilesException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code java io.synod.bootstrap.CertsCommand [--dir DIR] [--days N] [--renew] <cluster-file>}
 * (or {@code ./synod certs}): makes the TLS files of the cluster whose members {@code
 * synod.cluster.members} of the HOCON {@code cluster-file} lists, in {@code DIR} ({@code data/tls}
 * by default), with {@link ClusterCertificates}: the CA if it is missing, and a store for each
 * member that has none ({@code --renew}: a new one for each member). Node certificates are valid
 * for {@code N} days (825 by default). Prints what it created, kept or renewed, and where the
 * password is. Exit codes: 0 done; 2 bad input (a missing or invalid cluster file, no members, a
 * directory or store that cannot be made or read), with one line on standard error; 64 a wrong
 * command line.
 */
public final class CertsCommand {

  public static final int INVALID_INPUT = 2;
  public static final int USAGE = 64;
  /** A hundred years: a larger --days is a typo. */
  private static final long MAX_DAYS = 36_500;
  static final String USAGE_LINE = "usage: certs [--dir DIR] [--days N] [--renew] <cluster-file>";

  private CertsCommand() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** What the command line asks for. */
  private record Request(Path dir, Duration validity, boolean renew, Path clusterFile) {}

  /** A wrong command line, said in one message. */
  private static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** Makes the files {@code args} ask for; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      Request request = parse(args);
      Map<Integer, String> hosts = hostsById(request.clusterFile());
      TlsFiles files = request.renew()
          ? ClusterCertificates.renew(request.dir(), hosts, request.validity())
          : ClusterCertificates.create(request.dir(), hosts, request.validity());
      report(files, out);
      return 0;
    } catch (UsageException e) {
      err.println("synod certs: " + e.getMessage() + "; " + USAGE_LINE);
      return USAGE;
    } catch (TlsFilesException e) {
      err.println("synod certs: " + oneLine(e.getMessage()));
      return INVALID_INPUT;
    }
  }

  private static Request parse(String[] args) throws UsageException {
    Path dir = ClusterCertificates.DEFAULT_DIR;
    Duration validity = ClusterCertificates.DEFAULT_VALIDITY;
    boolean renew = false;
    Path clusterFile = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--dir" -> dir = Path.of(value(args, ++i, arg));
        case "--days" -> validity = days(value(args, ++i, arg));
        case "--renew" -> renew = true;
        default -> {
          if (arg.startsWith("-")) {
            throw new UsageException("unknown option " + arg);
          }
          if (clusterFile != null) {
            throw new UsageException("one cluster file only, got " + clusterFile + " and " + arg);
          }
          clusterFile = Path.of(arg);
        }
      }
    }
    if (clusterFile == null) {
      throw new UsageException("no cluster file");
    }
    return new Request(dir, validity, renew, clusterFile);
  }

  private static String value(String[] args, int i, String option) throws UsageException {
    if (i >= args.length) {
      throw new UsageException(option + " needs a value");
    }
    return args[i];
  }

  private static Duration days(String value) {
    long days;
    try {
      days = Long.parseLong(value);
    } catch (NumberFormatException e) {
      days = 0;
    }
    if (days < 1 || days > MAX_DAYS) {
      throw new TlsFilesException("--days must be a whole number of days from 1 to " + MAX_DAYS + ", got " + value);
    }
    return Duration.ofDays(days);
  }

  /** Every member's id and host, from {@code synod.cluster.members} of {@code file}. */
  private static Map<Integer, String> hostsById(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TlsFilesException("cluster file " + file + " does not exist or is not a file");
    }
    try {
      Config cluster = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
          .resolve();
      Map<Integer, String> hosts = new TreeMap<>();
      NodeConfig.clusterMembers(cluster).forEach(m -> hosts.put(m.id(), m.host()));
      return hosts;
    } catch (ConfigException | InvalidConfigException e) {
      throw new TlsFilesException("invalid cluster file " + file + ": " + e.getMessage(), e);
    }
  }

  private static void report(TlsFiles files, PrintStream out) {
    for (TlsFiles.Change change : files.changes()) {
      out.printf("%-8s %s: %s%n", change.action().name().toLowerCase(Locale.ROOT), change.file(), change.detail());
    }
    out.println("The stores' password is in " + files.passwordFile() + "; node N uses " + files.dir().resolve(
        "nodeN.p12") + " as key store and " + files.trustStore() + " as trust store. Keep " + files.caStore()
        + " off the nodes.");
  }

  private static String oneLine(String message) {
    return String.valueOf(message).replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
