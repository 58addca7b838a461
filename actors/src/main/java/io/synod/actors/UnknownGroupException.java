package io.synod.actors;

/**
 * {@link GroupCatalog#remove} found no group of that id among those created at runtime: it was
 * never created, or removed already. (A group the application spawns itself, or a node's file
 * configures, is not in the catalog and cannot be removed through it.)
 */
public final class UnknownGroupException extends SynodException {
  public UnknownGroupException(String group, String message) {
    super(group, message);
  }
}
