package io.synod.actors;

/**
 * A group of that id exists already, so {@link GroupCatalog#create} made none: the catalog holds a
 * runtime group of that id (the message says its type, members and incarnation), or the node asked
 * runs a group of that id outside the catalog (the application spawned it, or the node's file
 * configures it).
 */
public final class GroupExistsException extends SynodException {
  public GroupExistsException(String group, String message) {
    super(group, message);
  }
}
