package io.synod.actors;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waiting in tests: polling a condition with a deadline, and the result of a stage. */
final class Await {

  private Await() {}

  /** Polls {@code condition} every few milliseconds until it holds; fails with {@code what} at the deadline. */
  static void until(Duration within, Supplier<String> what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + within + ": " + what.get());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /**
   * Proposes 1 to {@code client} until the group answers with the counter's value, within {@code
   * within}: a failure that {@code retryable} accepts is told to {@code onRetry} and tried again
   * after a short pause; any other failure, or the deadline, fails the test.
   */
  static long proposeUntilServed(GroupClient<Long, Long> client, Duration within, Predicate<Throwable> retryable,
      Consumer<Throwable> onRetry) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        return client.propose(1L).toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (!retryable.test(cause) || System.nanoTime() - deadline > 0) {
          throw new AssertionError("group " + client.group() + " does not serve within " + within + ": " + cause, e);
        }
        onRetry.accept(cause);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }

  /** The stage's value; its failure (unwrapped) or a timeout fails the test. */
  static <T> T result(CompletionStage<T> stage, Duration within) {
    try {
      return stage.toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + within, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The exception the stage failed with; a value or a timeout fails the test. */
  static Throwable failure(CompletionStage<?> stage, Duration within) {
    try {
      Object v = stage.toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + v);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + within + " (a call must never hang)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
