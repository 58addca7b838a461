package io.synod.actors;

/**
 * The answer of {@link GroupClient#readLocal}: {@code value} as this node's replica had it after
 * applying every log instance up to {@code appliedThrough}. It may be stale: writes acknowledged
 * elsewhere may not be reflected yet.
 */
public record StaleRead<R>(R value, long appliedThrough) {}
