package io.synod;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;

/**
 * Which node an actor system is and where every node listens, as its configuration says ({@value
 * #ID} and {@value #MEMBERS}, explained in the actors' {@code reference.conf}): read once when
 * {@link Synod#get} starts Synod on the system, and checked, each error naming its key's full path.
 * A member's address is {@code "host:port"}; the protocol and the actor system's name are this
 * system's own, as in every Artery cluster.
 */
record NodeAddresses(int self, Map<Integer, Address> nodes) {

  static final String ID = "synod.node.id";
  static final String MEMBERS = "synod.node.members";

  NodeAddresses {
    nodes = Map.copyOf(nodes);
  }

  /**
   * Reads {@code config} for the actor system that listens at {@code own}.
   *
   * @throws IllegalArgumentException naming the key, if a key is missing or malformed, this node is
   *     not among the members, two members share an address, or this node's address is not {@code own}
   */
  static NodeAddresses fromConfig(Config config, Address own) {
    int self = id(config);
    Map<Integer, String> written = new TreeMap<>();
    Map<Integer, Address> nodes = members(config, own, written);
    if (!nodes.containsKey(self)) {
      throw new IllegalArgumentException(ID + " = " + self + " is not among the ids of " + MEMBERS + " "
          + nodes.keySet());
    }
    if (!nodes.get(self).equals(own)) {
      throw new IllegalArgumentException(memberPath(self) + " = \"" + written.get(self) + "\" is this node's address ("
          + ID + " = " + self + "), but this actor system listens at " + own
          + " (pekko.remote.artery.canonical.hostname and .port)");
    }
    return new NodeAddresses(self, nodes);
  }

  private static int id(Config config) {
    if (!config.hasPath(ID)) {
      throw new IllegalArgumentException(ID + ": missing; set it to this node's id, one of the ids of " + MEMBERS);
    }
    ConfigValue value = config.getValue(ID);
    int id = nodeId(value.valueType() == ConfigValueType.NUMBER || value.valueType() == ConfigValueType.STRING
        ? String.valueOf(value.unwrapped()) : value.render());
    if (id < 0) {
      throw new IllegalArgumentException(ID + " must be a node id (an integer >= 0), got " + value.render());
    }
    return id;
  }

  /** The members, by id; {@code written} receives each one's address as the configuration wrote it. */
  private static Map<Integer, Address> members(Config config, Address own, Map<Integer, String> written) {
    if (!config.hasPath(MEMBERS)) {
      throw new IllegalArgumentException(MEMBERS + ": missing; list every node, this one included, as"
          + " <id> = \"<host>:<port>\"");
    }
    ConfigValue value = config.getValue(MEMBERS);
    if (value.valueType() != ConfigValueType.OBJECT) {
      throw new IllegalArgumentException(MEMBERS + " must be an object of <id> = \"<host>:<port>\", got "
          + value.render());
    }
    ConfigObject members = (ConfigObject) value;
    if (members.isEmpty()) {
      throw new IllegalArgumentException(MEMBERS + ": no members; list every node, this one included, as"
          + " <id> = \"<host>:<port>\"");
    }
    Map<Integer, Address> nodes = new TreeMap<>();
    Map<Address, String> at = new HashMap<>();
    Map<Integer, String> idAt = new HashMap<>();
    for (Map.Entry<String, ConfigValue> member : new TreeMap<>(members).entrySet()) {
      String path = ConfigUtil.joinPath("synod", "node", "members", member.getKey());
      int id = nodeId(member.getKey());
      if (id < 0) {
        throw new IllegalArgumentException(path + ": a member's key is its node id, an integer >= 0, got '"
            + member.getKey() + "'");
      }
      String sameId = idAt.put(id, path);
      if (sameId != null) {
        throw new IllegalArgumentException(path + " names node " + id + ", as " + sameId + " does: give each node"
            + " one entry");
      }
      if (member.getValue().valueType() != ConfigValueType.STRING) {
        throw new IllegalArgumentException(path + " must be \"<host>:<port>\", got " + member.getValue().render());
      }
      String hostPort = (String) member.getValue().unwrapped();
      Address address = address(hostPort, own);
      if (address == null) {
        throw new IllegalArgumentException(path + " = \"" + hostPort + "\" must be \"<host>:<port>\" (the node's"
            + " Artery canonical host, an IPv6 address in brackets, and a port in 1..65535)");
      }
      String twin = at.put(address, path);
      if (twin != null) {
        throw new IllegalArgumentException(path + " = \"" + hostPort + "\" is also the address of " + twin);
      }
      nodes.put(id, address);
      written.put(id, hostPort);
    }
    return nodes;
  }

  /** {@code s} as a node id, or -1 if it is none. */
  private static int nodeId(String s) {
    try {
      int id = Integer.parseInt(s.trim());
      return id >= 0 ? id : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code host:port} as an address of this system's protocol and name, or null if it is malformed. */
  private static Address address(String hostPort, Address own) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      return null; // an IPv6 address without brackets: where its port starts is ambiguous
    }
    if (host.isBlank() || host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '@' || c == '/')) {
      return null;
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      return null;
    }
    return port >= 1 && port <= 65535 ? new Address(own.protocol(), own.system(), host, port) : null;
  }

  private static String memberPath(int id) {
    return ConfigUtil.joinPath("synod", "node", "members", String.valueOf(id));
  }
}
