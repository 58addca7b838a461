package io.synod.bootstrap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.synod.actors.CatalogSettings;
import io.synod.actors.GroupCatalog;
import io.synod.actors.RuntimeGroup;
import io.synod.actors.SynodSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;

/**
 * A standalone node as its HOCON file describes it (see this module's {@code reference.conf} and
 * {@code conf/} in the repository): which node it is, every member's Artery address, the groups
 * the cluster runs, where this node stores, and the group settings. {@link #load} checks
 * everything before anything starts: an unknown, missing, mistyped or out-of-range key, a
 * duplicate member id or address, a node id that is not a member, an unusable data directory or
 * group type all fail with one {@link InvalidConfigException} whose message names the key's full
 * path and what is wrong.
 */
public record NodeConfig(int self, Path dataDir, List<Member> members, List<Group> groups,
    Map<String, GroupType> groupTypes, SynodSettings settings, Http http, List<HttpService> services, Config config) {

  /**
   * Where this node serves HTTP ({@code port} 0: not at all), the largest body it takes, the token
   * the operator's routes ask for (empty: the one in {@code <data-dir>/admin-token}, see {@code
   * AdminToken}) and the host names it answers to beside {@code host} ({@code HostCheck}).
   */
  public record Http(String host, int port, int maxBodyBytes, String adminToken, List<String> allowedHosts) {

    public Http {
      allowedHosts = List.copyOf(allowedHosts);
    }

    /** Without the token: a configuration may be logged, the token must not be. */
    @Override
    public String toString() {
      return "Http[host=" + host + ", port=" + port + ", maxBodyBytes=" + maxBodyBytes + ", adminToken="
          + (adminToken.isEmpty() ? "(from the token file)" : "(set)") + ", allowedHosts=" + allowedHosts + "]";
    }
  }

  /** Every node's actor system has this name: Artery addresses include it. */
  public static final String SYSTEM = "synod";

  /** One node of the cluster: where its Artery listens. */
  public record Member(int id, String host, int port) {
    public Address address() {
      return new Address("pekko", SYSTEM, host, port);
    }
  }

  /**
   * A group as it begins: {@code members} vote, {@code learners} learn; {@code joins} says this node
   * is in neither and runs the group to be added to it later ({@code synod.node.join}); {@code
   * preferredLeader} is the node leadership should be with when it can be, or -1.
   */
  public record Group(String id, GroupType type, List<Integer> members, List<Integer> learners, boolean joins,
      int preferredLeader) {

    /** A group with no preferred leader. */
    public Group(String id, GroupType type, List<Integer> members, List<Integer> learners, boolean joins) {
      this(id, type, members, learners, joins, -1);
    }

    /** Whether this node runs the group. */
    public boolean runsOn(int node) {
      return joins || members.contains(node) || learners.contains(node);
    }
  }

  /** Without {@code config}, whose every value (the admin token too) its own toString shows. */
  @Override
  public String toString() {
    return "NodeConfig[self=" + self + ", dataDir=" + dataDir + ", members=" + members + ", groups=" + groups
        + ", groupTypes=" + groupTypes.keySet() + ", http=" + http + ", services=" + services + "]";
  }

  /** This node's entry in the member list. */
  public Member member() {
    return members.stream().filter(m -> m.id() == self).findFirst().orElseThrow();
  }

  /** Every member's id and Artery address. */
  public Map<Integer, Address> addresses() {
    Map<Integer, Address> a = new TreeMap<>();
    members.forEach(m -> a.put(m.id(), m.address()));
    return a;
  }

  /** Reads and checks the node file {@code file} (its includes resolved relative to it). */
  public static NodeConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidConfigException("configuration file " + file + " does not exist or is not a file");
    }
    Config own;
    try {
      own = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      throw new InvalidConfigException("cannot read " + file + ": " + e.getMessage());
    }
    return from(own);
  }

  /** Checks {@code own} (a node's configuration, without Synod's defaults) and completes it with them. */
  public static NodeConfig from(Config own) {
    Config reference = ConfigFactory.defaultReference();
    checkKnown(own, reference);
    Config full = own.withFallback(reference).resolve();
    try {
      List<Member> members = members(full);
      int self = self(full, members);
      Path dataDir = dataDir(full, self);
      SynodSettings settings;
      try {
        settings = SynodSettings.fromConfig(full);
        CatalogSettings.fromConfig(full).votersAmong(members.stream().map(Member::id).toList());
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(e.getMessage());
      }
      List<Group> groups = groups(full, members, self);
      Map<String, GroupType> groupTypes = groupTypes(full);
      Http http = http(full);
      List<HttpService> services = services(full);
      Member me = members.stream().filter(m -> m.id() == self).findFirst().orElseThrow();
      NodeTls tls = NodeTls.from(full, self);
      return new NodeConfig(self, dataDir, members, groups, groupTypes, settings, http, services,
          pekko(own, me, members, dataDir, tls).withFallback(full));
    } catch (ConfigException e) {
      // Typesafe Config names the full path of a missing or mistyped key.
      throw new InvalidConfigException(e.getMessage());
    }
  }

  // ---- unknown keys ----

  private static final Set<String> SYNOD_SECTIONS = Set.of("node", "cluster", "group", "client", "persistence",
      "catalog");

  /** The names of runtime groups' types: the operator's, so not in the reference. */
  private static final String GROUP_TYPES = "synod.cluster.group-types";

  /**
   * Where Synod on an actor system finds every node's address (see the actors' reference.conf): a
   * standalone node sets it from {@code synod.cluster.members}.
   */
  private static final String MEMBERS_OF_NODE = "synod.node.members";

  /** Every key the node sets under {@code synod} must be one Synod knows (a typo must not be ignored). */
  private static void checkKnown(Config own, Config reference) {
    if (!own.hasPath("synod")) {
      return; // the missing required keys are reported below
    }
    for (Map.Entry<String, ConfigValue> e : own.getObject("synod").entrySet()) {
      if (!SYNOD_SECTIONS.contains(e.getKey())) {
        throw new InvalidConfigException("synod." + e.getKey() + ": unknown key (known: " + new TreeSet<>(SYNOD_SECTIONS)
            + ")");
      }
    }
    for (Map.Entry<String, ConfigValue> e : own.getConfig("synod").entrySet()) {
      String path = "synod." + e.getKey();
      if (path.equals("synod.persistence.journal.dir") || path.equals("synod.persistence.snapshot-store.dir")) {
        throw new InvalidConfigException(path + ": set by Synod from synod.node.data-dir; set that instead");
      }
      if (path.equals(MEMBERS_OF_NODE) || path.startsWith(MEMBERS_OF_NODE + ".")) {
        throw new InvalidConfigException(path + ": set by Synod from synod.cluster.members; list the nodes there");
      }
      boolean known = reference.hasPathOrNull(path) || path.equals("synod.node.id")
          || path.startsWith(GROUP_TYPES + ".");
      if (!known) {
        throw new InvalidConfigException(path + ": unknown key" + near(path, reference));
      }
    }
  }

  private static String near(String path, Config reference) {
    int dot = path.lastIndexOf('.');
    String parent = path.substring(0, dot);
    if (parent.equals("synod.node")) {
      return " (known: [data-dir, http, id, join, tls])";
    }
    if (reference.hasPath(parent) && reference.getValue(parent).valueType() == ConfigValueType.OBJECT) {
      return " (known under " + parent + ": " + new TreeSet<>(reference.getObject(parent).keySet()) + ")";
    }
    return "";
  }

  // ---- members ----

  /**
   * Reads and checks {@code synod.cluster.members} alone, for tools that need the members of a
   * cluster file but no node (the {@code certs} command): the same checks and messages as {@link
   * #from}.
   */
  public static List<Member> clusterMembers(Config cluster) {
    if (!cluster.hasPath("synod.cluster.members")) {
      throw new InvalidConfigException("synod.cluster.members: missing; list every node as { id, host, port }");
    }
    try {
      return members(cluster);
    } catch (ConfigException e) {
      throw new InvalidConfigException(e.getMessage());
    }
  }

  private static List<Member> members(Config full) {
    String key = "synod.cluster.members";
    List<? extends ConfigObject> list = full.getObjectList(key);
    if (list.isEmpty()) {
      throw new InvalidConfigException(key + ": no members; list every node as { id, host, port }");
    }
    List<Member> members = new ArrayList<>();
    Map<Integer, Integer> ids = new HashMap<>();
    Map<String, Integer> addresses = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String at = key + "[" + i + "]";
      Config m = list.get(i).toConfig();
      onlyKeys(list.get(i), at, Set.of("id", "host", "port"));
      int id = integer(m, at, "id");
      if (id < 0) {
        throw new InvalidConfigException(at + ".id must be >= 0, got " + id);
      }
      String host = string(m, at, "host");
      int port = integer(m, at, "port");
      if (port < 1 || port > 65535) {
        throw new InvalidConfigException(at + ".port must be in 1..65535, got " + port);
      }
      Integer twin = ids.put(id, i);
      if (twin != null) {
        throw new InvalidConfigException(at + ".id = " + id + " is also the id of " + key + "[" + twin + "]");
      }
      Integer same = addresses.put(host + ":" + port, i);
      if (same != null) {
        throw new InvalidConfigException(at + ": " + host + ":" + port + " is also the address of " + key + "[" + same
            + "]");
      }
      members.add(new Member(id, host, port));
    }
    return List.copyOf(members);
  }

  private static int self(Config full, List<Member> members) {
    if (!full.hasPath("synod.node.id")) {
      throw new InvalidConfigException("synod.node.id: missing; set it to this node's id in synod.cluster.members");
    }
    int self = full.getInt("synod.node.id");
    if (members.stream().noneMatch(m -> m.id() == self)) {
      throw new InvalidConfigException("synod.node.id = " + self + " is not among the ids of synod.cluster.members "
          + members.stream().map(Member::id).toList());
    }
    return self;
  }

  private static Path dataDir(Config full, int self) {
    String key = "synod.node.data-dir";
    String d = full.getString(key);
    Path dir = Path.of(d.isBlank() ? "data/node-" + self : d).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | UnsupportedOperationException e) {
      throw new InvalidConfigException(key + " = " + dir + ": cannot create or write it (" + e + ")");
    }
    return dir;
  }

  // ---- groups ----

  private static List<Group> groups(Config full, List<Member> members, int self) {
    String key = "synod.cluster.groups";
    List<? extends ConfigObject> list = full.getObjectList(key);
    Set<Integer> memberIds = new TreeSet<>();
    members.forEach(m -> memberIds.add(m.id()));
    List<Group> groups = new ArrayList<>();
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String at = key + "[" + i + "]";
      Config g = list.get(i).toConfig();
      onlyKeys(list.get(i), at, Set.of("id", "type", "members", "learners", "preferred-leader"));
      String id = string(g, at, "id");
      if (id.equals(GroupCatalog.ID)) {
        throw new InvalidConfigException(at + ".id = \"" + id + "\" is Synod's own group (the catalog of the groups"
            + " created at runtime); give the group another id");
      }
      Integer twin = ids.put(id, i);
      if (twin != null) {
        throw new InvalidConfigException(at + ".id = \"" + id + "\" is also the id of " + key + "[" + twin + "]");
      }
      List<Integer> groupMembers = g.hasPath("members") ? g.getIntList("members") : List.copyOf(memberIds);
      if (groupMembers.isEmpty() || !memberIds.containsAll(groupMembers)
          || new TreeSet<>(groupMembers).size() != groupMembers.size()) {
        throw new InvalidConfigException(at + ".members = " + groupMembers + " must be distinct ids of "
            + "synod.cluster.members " + memberIds);
      }
      List<Integer> learners = g.hasPath("learners") ? g.getIntList("learners") : List.of();
      if (!memberIds.containsAll(learners) || new TreeSet<>(learners).size() != learners.size()
          || learners.stream().anyMatch(groupMembers::contains)) {
        throw new InvalidConfigException(at + ".learners = " + learners + " must be distinct ids of "
            + "synod.cluster.members " + memberIds + ", none of them in members " + groupMembers);
      }
      int preferred = preferredLeader(g, at, groupMembers);
      groups.add(new Group(id, type(at + ".type", string(g, at, "type")), List.copyOf(new TreeSet<>(groupMembers)),
          List.copyOf(new TreeSet<>(learners)), false, preferred));
    }
    List<String> join = full.getStringList("synod.node.join");
    for (String j : join) {
      int at = -1;
      for (int i = 0; i < groups.size(); i++) {
        if (groups.get(i).id().equals(j)) {
          at = i;
        }
      }
      if (at < 0) {
        throw new InvalidConfigException("synod.node.join: no group '" + j + "' in " + key + " "
            + groups.stream().map(Group::id).toList());
      }
      Group g = groups.get(at);
      if (g.members().contains(self) || g.learners().contains(self)) {
        throw new InvalidConfigException("synod.node.join: node " + self + " is in group '" + j + "' from the start"
            + " (members " + g.members() + ", learners " + g.learners() + "); it cannot also join it");
      }
      groups.set(at, new Group(g.id(), g.type(), g.members(), g.learners(), true, g.preferredLeader()));
    }
    return List.copyOf(groups);
  }

  /**
   * {@code synod.cluster.group-types}: the types of group that may be created at runtime, by name
   * (the name {@code POST /admin/groups/{group}?type=} gives), each a {@link GroupType} class.
   */
  private static Map<String, GroupType> groupTypes(Config full) {
    Map<String, GroupType> types = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : full.getObject(GROUP_TYPES).entrySet()) {
      String at = GROUP_TYPES + "." + ConfigUtil.joinPath(e.getKey()); // quoted where HOCON needs it
      try {
        RuntimeGroup.checkType(e.getKey());
      } catch (IllegalArgumentException bad) {
        throw new InvalidConfigException(at + ": " + bad.getMessage());
      }
      if (e.getValue().valueType() != ConfigValueType.STRING) {
        throw new InvalidConfigException(at + " must name a class implementing " + GroupType.class.getName()
            + ", got " + e.getValue().render());
      }
      types.put(e.getKey(), type(at, (String) e.getValue().unwrapped()));
    }
    return java.util.Collections.unmodifiableMap(types);
  }

  private static GroupType type(String key, String className) {
    return instance(key, className, GroupType.class);
  }

  private static <T> T instance(String key, String className, Class<T> kind) {
    Class<?> c;
    try {
      c = Class.forName(className);
    } catch (ClassNotFoundException e) {
      throw new InvalidConfigException(key + " = " + className + ": no such class on the classpath");
    }
    if (!kind.isAssignableFrom(c)) {
      throw new InvalidConfigException(key + " = " + className + " does not implement " + kind.getName());
    }
    try {
      return kind.cast(c.getConstructor().newInstance());
    } catch (ReflectiveOperationException e) {
      throw new InvalidConfigException(key + " = " + className + ": cannot be made with a public no-argument "
          + "constructor (" + e + ")");
    }
  }

  // ---- HTTP ----

  /** The group's {@code preferred-leader}, one of its {@code members}; -1 if not set. */
  private static int preferredLeader(Config group, String at, List<Integer> members) {
    if (!group.hasPath("preferred-leader")) {
      return -1;
    }
    ConfigValue v = group.getValue("preferred-leader");
    if (!(v.unwrapped() instanceof Integer preferred) || !members.contains(preferred)) {
      throw new InvalidConfigException(at + ".preferred-leader = " + v.render() + " must be one of the group's members "
          + members);
    }
    return preferred;
  }

  private static Http http(Config full) {
    String at = "synod.node.http";
    String host = full.getString(at + ".host");
    int port = full.getInt(at + ".port");
    if (port < 0 || port > 65535) {
      throw new InvalidConfigException(at + ".port must be in 0..65535 (0: no HTTP), got " + port);
    }
    long max = full.getBytes(at + ".max-body-bytes");
    if (max < 1 || max > Integer.MAX_VALUE) {
      throw new InvalidConfigException(at + ".max-body-bytes must be between 1 byte and 2 GiB, got " + max);
    }
    return new Http(host, port, (int) max, adminToken(full, at + ".admin-token"), allowedHosts(full,
        at + ".allowed-hosts"));
  }

  /** The shortest admin token taken: shorter ones can be guessed. */
  static final int MIN_TOKEN_LENGTH = 16;

  /** {@code key}'s token, empty or checked; never shown in a message. */
  private static String adminToken(Config full, String key) {
    String token = full.getString(key);
    if (token.isEmpty()) {
      return token;
    }
    String problem = tokenProblem(token);
    if (problem != null) {
      throw new InvalidConfigException(key + " " + problem + " (leave it empty to have the node make one in "
          + "<data-dir>/admin-token)");
    }
    return token;
  }

  /**
   * Why {@code token} cannot be an admin token (too short, or a character that has no place in an
   * {@code Authorization} header), or null if it can.
   */
  static String tokenProblem(String token) {
    if (token.length() < MIN_TOKEN_LENGTH) {
      return "must be at least " + MIN_TOKEN_LENGTH + " characters long, got " + token.length();
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c > '~') {
        return "must be printable ASCII without spaces (character " + (i + 1) + " is not)";
      }
    }
    return null;
  }

  /** {@code key}'s host names: neither blank nor with a port. */
  private static List<String> allowedHosts(Config full, String key) {
    List<String> hosts = full.getStringList(key);
    for (int i = 0; i < hosts.size(); i++) {
      String h = hosts.get(i);
      if (h.isBlank() || h.chars().anyMatch(Character::isWhitespace)) {
        throw new InvalidConfigException(key + "[" + i + "] = \"" + h + "\" must be a host name or address, "
            + "without spaces");
      }
      if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
        throw new InvalidConfigException(key + "[" + i + "] = \"" + h + "\" must be a host name or address "
            + "without a port (the port is ignored when the Host header is checked)");
      }
    }
    return hosts;
  }

  private static List<HttpService> services(Config full) {
    String key = "synod.cluster.http-services";
    List<String> names = full.getStringList(key);
    List<HttpService> services = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      services.add(instance(key + "[" + i + "]", names.get(i), HttpService.class));
    }
    return List.copyOf(services);
  }

  // ---- Pekko ----

  /**
   * What Synod sets for Pekko on this node: Artery on the member's host and port, with mutual TLS
   * (or, when the cluster says insecure, plain TCP) and untrusted mode ({@link NodeTls}), the
   * journal and snapshot store under the data directory, no Java serialization; and, for Synod on
   * the actor system, which node this is and where every member listens ({@code synod.node.id} and
   * {@code synod.node.members}, from {@code synod.cluster.members}). The node's own {@code pekko.*}
   * keys come next (e.g. TLS protocols and ciphers); host, port, directories, the TLS stores and the
   * members are always Synod's.
   */
  private static Config pekko(Config own, Member me, List<Member> members, Path dataDir, NodeTls tls) {
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("synod.node.id", me.id());
    Map<String, Object> addresses = new HashMap<>();
    // An IPv6 address goes in brackets, so that where its port starts is plain.
    members.forEach(m -> addresses.put(String.valueOf(m.id()),
        (m.host().indexOf(':') >= 0 ? "[" + m.host() + "]" : m.host()) + ":" + m.port()));
    fixed.put(MEMBERS_OF_NODE, addresses);
    fixed.put("pekko.actor.provider", "remote");
    fixed.put("pekko.remote.artery.canonical.hostname", me.host());
    fixed.put("pekko.remote.artery.canonical.port", me.port());
    fixed.put("pekko.remote.artery.bind.hostname", me.host());
    fixed.put("pekko.remote.artery.bind.port", me.port());
    fixed.put("pekko.persistence.journal.plugin", "synod.persistence.journal");
    fixed.put("pekko.persistence.snapshot-store.plugin", "synod.persistence.snapshot-store");
    fixed.put("synod.persistence.journal.dir", dataDir.resolve("journal").toString());
    fixed.put("synod.persistence.snapshot-store.dir", dataDir.resolve("snapshots").toString());
    Map<String, Object> defaults = new HashMap<>();
    defaults.put("pekko.remote.artery.transport", "tcp");
    defaults.put("pekko.actor.allow-java-serialization", "off");
    // Synod keeps its own membership per group and watches no remote actor: no Pekko Cluster.
    defaults.put("pekko.remote.warn-about-direct-use", "off");
    defaults.put("pekko.remote.warn-unsafe-watch-outside-cluster", "off");
    defaults.put("pekko.loggers", List.of("org.apache.pekko.event.slf4j.Slf4jLogger"));
    defaults.put("pekko.logging-filter", "org.apache.pekko.event.slf4j.Slf4jLoggingFilter");
    return ConfigFactory.parseMap(fixed).withFallback(tls.pekko()).withFallback(own)
        .withFallback(ConfigFactory.parseMap(defaults));
  }

  // ---- helpers ----

  private static void onlyKeys(ConfigObject o, String at, Set<String> known) {
    for (String k : o.keySet()) {
      if (!known.contains(k)) {
        throw new InvalidConfigException(at + "." + k + ": unknown key (known: " + new TreeSet<>(known) + ")");
      }
    }
  }

  private static int integer(Config c, String at, String key) {
    if (!c.hasPath(key)) {
      throw new InvalidConfigException(at + "." + key + ": missing");
    }
    try {
      return c.getInt(key);
    } catch (ConfigException.WrongType e) {
      throw new InvalidConfigException(at + "." + key + " must be a number, got " + c.getValue(key).render());
    }
  }

  private static String string(Config c, String at, String key) {
    if (!c.hasPath(key)) {
      throw new InvalidConfigException(at + "." + key + ": missing");
    }
    String s = c.getString(key);
    if (s.isBlank()) {
      throw new InvalidConfigException(at + "." + key + " must not be blank");
    }
    return s;
  }
}
