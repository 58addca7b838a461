package io.synod;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.Logging;

/**
 * The check Synod makes of the actor system's transport when it starts: only members may talk to
 * members. Over the network that takes Artery's mutual TLS with a certificate per node, checked by
 * {@link NodeTlsEngineProvider}, and Pekko's untrusted mode, which drops remote system messages
 * (PoisonPill, Kill, watches) and actor selections. Without them Synod refuses to start unless
 * {@value #INSECURE} is on, and then logs at WARN what is missing. An actor system without remoting
 * has no network to guard.
 */
final class TransportSecurity {

  static final String INSECURE = "synod.insecure";
  private static final String ARTERY = "pekko.remote.artery";

  private TransportSecurity() {}

  static void check(ActorSystem<?> system) {
    Config config = system.settings().config();
    String provider = config.getString("pekko.actor.provider");
    if (provider.equals("local") || provider.endsWith("LocalActorRefProvider")) {
      return;
    }
    List<String> missing = missing(config);
    if (missing.isEmpty()) {
      return;
    }
    String what = String.join("; ", missing);
    if (!config.getBoolean(INSECURE)) {
      throw new IllegalArgumentException("Synod will not run on a transport that does not authenticate its peers: "
          + what + ". Any process that reaches this node's port could act as a member. Set these (see Synod's"
          + " docs/security.md), or set " + INSECURE + " = on to run without them");
    }
    // Through Pekko's event stream, so it goes wherever the application sends Pekko's logs.
    Logging.getLogger(Adapter.toClassic(system), TransportSecurity.class).warning("Synod runs INSECURE ({} = on; for a"
        + " standalone node, synod.cluster.insecure = on): {}. Any process that reaches this node's port can act as a"
        + " member", INSECURE, what);
  }

  private static List<String> missing(Config config) {
    List<String> missing = new ArrayList<>();
    String transport = config.getString(ARTERY + ".transport");
    if (!config.getBoolean(ARTERY + ".enabled")) {
      missing.add(ARTERY + ".enabled is off (classic remoting, which Synod does not check)");
    } else if (!transport.equals("tls-tcp")) {
      missing.add(ARTERY + ".transport is " + transport + ", not tls-tcp");
    } else {
      String engine = config.getString(ARTERY + ".ssl.ssl-engine-provider");
      if (!isNodeTls(engine)) {
        missing.add(ARTERY + ".ssl.ssl-engine-provider is " + engine + ", not " + NodeTlsEngineProvider.class.getName()
            + " (which checks that each peer's certificate names the node it claims to be)");
      }
      if (!config.getBoolean(ARTERY + ".ssl.config-ssl-engine.require-mutual-authentication")) {
        missing.add(ARTERY + ".ssl.config-ssl-engine.require-mutual-authentication is off");
      }
    }
    if (!config.getBoolean(ARTERY + ".untrusted-mode")) {
      missing.add(ARTERY + ".untrusted-mode is off (remote PoisonPill, Kill and watches reach any actor)");
    }
    return missing;
  }

  private static boolean isNodeTls(String className) {
    try {
      return NodeTlsEngineProvider.class.isAssignableFrom(Class.forName(className, false,
          TransportSecurity.class.getClassLoader()));
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
