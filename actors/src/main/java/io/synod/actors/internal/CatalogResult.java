package io.synod.actors.internal;

import io.synod.actors.RuntimeGroup;

/** What the group catalog answers to a {@link CatalogCommand}. Encoded by {@link CatalogCodec}. */
sealed interface CatalogResult {

  /** {@code group} was created; the catalog has applied {@code version} changes with it. */
  record Created(RuntimeGroup group, long version) implements CatalogResult {}

  /** {@code group} was removed; the catalog has applied {@code version} changes with it. */
  record Removed(RuntimeGroup group, long version) implements CatalogResult {}

  /** Nothing changed, because of {@code why}, which {@code reason} explains. */
  record Refused(Why why, String reason) implements CatalogResult {}

  /** Why a change was refused. */
  enum Why {
    /** A group of that id exists. */
    EXISTS,
    /** No group of that id exists. */
    UNKNOWN,
    /** The command is invalid (an id, type or members that a node should have refused before proposing it). */
    INVALID
  }

  /** The catalog has applied {@code version} changes. */
  record VersionIs(long version) implements CatalogResult {}

  /** The whole state. */
  record Whole(CatalogState state) implements CatalogResult {}
}
