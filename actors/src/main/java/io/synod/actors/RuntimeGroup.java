package io.synod.actors;

import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A group created at runtime, as the {@link GroupCatalog} holds it: its id, the name of its type
 * (which each node's {@link GroupTypes} turns into the group's state machine and codecs), the nodes
 * that vote in it as it begins (its {@code members}, which also run it), and its incarnation.
 *
 * <p>The incarnation numbers this life of the group id, unique in the cluster (the catalog counts
 * its creations from 1; 0 is the only life of a group the application spawns itself or a node's
 * file configures). Everything the life stores, and every message it sends, carries it: a group
 * removed and created again under the same id starts empty and never takes the earlier life's data
 * or messages for its own.
 *
 * <p>An id is 1 to {@value #MAX_ID_LENGTH} letters, digits, {@code .}, {@code _} and {@code -}, and
 * does not start with {@code synod-} (kept for Synod's own groups, such as {@link GroupCatalog#ID});
 * a type name is 1 to {@value #MAX_ID_LENGTH} of the same characters.
 */
public record RuntimeGroup(String id, String type, List<Integer> members, long incarnation) {

  public static final int MAX_ID_LENGTH = 100;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_ID_LENGTH + "}");

  public RuntimeGroup {
    checkId(id);
    checkType(type);
    members = checkMembers(id, members);
    if (incarnation < 1) {
      throw new IllegalArgumentException("group '" + id + "': a runtime group's incarnation is >= 1, got " + incarnation);
    }
  }

  /**
   * @throws IllegalArgumentException if {@code id} is not the id of a group that may be created at
   *     runtime (see above), saying why
   */
  public static void checkId(String id) {
    if (id == null || !NAME.matcher(id).matches()) {
      throw new IllegalArgumentException("a group id is 1 to " + MAX_ID_LENGTH + " letters, digits, '.', '_' and '-',"
          + " got '" + id + "'");
    }
    if (id.startsWith("synod-")) {
      throw new IllegalArgumentException("group ids starting with 'synod-' are Synod's own, got '" + id + "'");
    }
  }

  /** @throws IllegalArgumentException if {@code type} is not a valid type name (see above) */
  public static void checkType(String type) {
    if (type == null || !NAME.matcher(type).matches()) {
      throw new IllegalArgumentException("a group type is named by 1 to " + MAX_ID_LENGTH + " letters, digits, '.',"
          + " '_' and '-', got '" + type + "'");
    }
  }

  /**
   * The members in ascending order.
   *
   * @throws IllegalArgumentException if there are none, one is negative, or one is listed twice
   */
  static List<Integer> checkMembers(String id, List<Integer> members) {
    if (members == null || members.isEmpty()) {
      throw new IllegalArgumentException("group '" + id + "' needs at least one member");
    }
    TreeSet<Integer> sorted = new TreeSet<>();
    for (Integer m : members) {
      if (m == null || m < 0) {
        throw new IllegalArgumentException("group '" + id + "': member ids are >= 0, got " + members);
      }
      if (!sorted.add(m)) {
        throw new IllegalArgumentException("group '" + id + "' lists node " + m + " twice: " + members);
      }
    }
    return List.copyOf(sorted);
  }
}
