/**
 * The pure Multi-Paxos core of Synod.
 *
 * <p>Every class here is plain, deterministic Java: no Pekko, no Chronicle, no I/O, no threads,
 * no clocks and no {@code java.util.Random}. Each role ({@link io.synod.paxos.Acceptor},
 * {@link io.synod.paxos.Proposer}, {@link io.synod.paxos.Learner}) takes one input at a time (a
 * message, a tick, a client command, a snapshot notice) and returns a {@link
 * io.synod.paxos.Decision} saying what to persist, what to send once that is durable, what to send
 * at once, and which commands were applied. Time arrives as ticks and randomness as an injected
 * {@link java.util.random.RandomGenerator}, so the same code runs inside the deterministic
 * simulator and inside the actor shells. {@code docs/protocol.md} describes the protocol this
 * package implements.
 */
package io.synod.paxos;
