package org.countersign.store;

/** {@code count} items of a queue are {@code status} (DEAD or BLOCKED) because of {@code reason}. */
public record QueueProblem(String status, String reason, long count) {
}
