package io.synod.actors.internal;

import java.util.List;

/**
 * What the group catalog's log holds and its reads ask ({@link CatalogState} applies and answers
 * them): create a group, remove one, and two queries, the number of changes applied (to learn how
 * far a replica must have applied for a read of it to be current) and the whole state (asked of the
 * local replica only). Encoded by {@link CatalogCodec}.
 */
sealed interface CatalogCommand {

  /** Create runtime group {@code group} of type {@code type} with {@code members}. */
  record Create(String group, String type, List<Integer> members) implements CatalogCommand {
    public Create {
      members = List.copyOf(members);
    }
  }

  /** Remove runtime group {@code group}. */
  record Remove(String group) implements CatalogCommand {}

  /** Query: how many changes the catalog has applied. */
  enum Version implements CatalogCommand {
    INSTANCE
  }

  /** Query: the whole state. */
  enum Everything implements CatalogCommand {
    INSTANCE
  }
}
