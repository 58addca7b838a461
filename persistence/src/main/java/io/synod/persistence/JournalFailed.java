package io.synod.persistence;

import java.nio.file.Path;

/**
 * Published on the actor system's event stream when a Synod journal fails and stops (fail-stop):
 * the journal in {@code dir} acknowledges nothing more in this process, and {@code failure} says
 * why. An application that embeds the journal subscribes to it to stop or restart its process.
 */
public record JournalFailed(Path dir, JournalFailedException failure) {}
