package org.countersign.bench;

import java.util.Arrays;

/** A growable list of latencies in nanoseconds, with exact percentiles (nearest rank) once sorted. */
final class Latencies {

    private long[] values;
    private int size;

    Latencies(int capacity) {
        values = new long[Math.max(16, capacity)];
    }

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = nanos;
    }

    void addAll(Latencies other) {
        for (int i = 0; i < other.size; i++) {
            add(other.values[i]);
        }
    }

    int count() {
        return size;
    }

    /** Summary in milliseconds. */
    Summary summary() {
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        return new Summary(size, pct(sorted, 50), pct(sorted, 90), pct(sorted, 95), pct(sorted, 99),
                size == 0 ? Double.NaN : sorted[size - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /** Percentiles in milliseconds. */
    record Summary(int count, double p50, double p90, double p95, double p99, double max) {
    }
}
