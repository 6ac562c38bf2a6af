package org.countersign.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.countersign.e2e.E2eSupport;
import org.countersign.store.ActionQueue;
import org.countersign.store.DeliveryQueue;

/**
 * What the benchmarks share: their knobs (system properties {@code bench.*}), waiting until the
 * service is idle, and writing each result as a Markdown section to {@code target/bench/NAME.md}.
 */
abstract class BenchSupport extends E2eSupport {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    DeliveryQueue deliveryQueue;

    @Inject
    ActionQueue actionQueue;

    static int intProp(String name, int fallback) {
        return Integer.parseInt(System.getProperty(name, String.valueOf(fallback)).strip());
    }

    static double doubleProp(String name, double fallback) {
        return Double.parseDouble(System.getProperty(name, String.valueOf(fallback)).strip());
    }

    /** {@code bench.seconds} (default 20): the length of a measured phase unless a phase has its own knob. */
    static double phaseSeconds() {
        return doubleProp("bench.seconds", 20);
    }

    static double warmupSeconds() {
        return doubleProp("bench.warmup", 15);
    }

    long pendingDeliveries() {
        return deliveryQueue.counts().getOrDefault("PENDING", 0L);
    }

    long pendingActions() {
        return actionQueue.counts().getOrDefault("PENDING", 0L);
    }

    /**
     * Waits until every webhook is sent and no delivery or action is pending, twice in a row 20 ms
     * apart; returns how long it took. Fails after {@code max}.
     */
    Duration quiesce(Duration max) {
        long start = System.nanoTime();
        int stable = 0;
        long deadline = start + max.toNanos();
        while (stable < 2) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("service not idle after " + max + ": " + pendingDeliveries()
                        + " deliveries and " + pendingActions() + " actions pending");
            }
            sim.awaitWebhooksSent();
            stable = pendingDeliveries() == 0 && pendingActions() == 0 ? stable + 1 : 0;
            sleep(20);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    static void awaitTrue(BooleanSupplier condition, Duration max, String what) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + max + " waiting for " + what);
            }
            sleep(1);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A fixture from {@code gitlab-fixtures/} with every project id replaced by {@code projectId}. */
    static ObjectNode fixture(String name, long projectId) {
        return org.countersign.e2e.HookFixtures.about(name, projectId, null);
    }

    static byte[] bytes(ObjectNode json) {
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String f(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    static String machine() {
        return String.format(Locale.ROOT, "%d CPUs (availableProcessors), Java %s (%s %s), %s %s, max heap %d MB, "
                        + "load average at start of section %.2f",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
                System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().maxMemory() / (1024 * 1024),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Prints the section and writes it to {@code target/bench/NAME.md}. */
    static void report(String name, String markdown) {
        String text = (markdown.endsWith("\n") ? markdown : markdown + "\n") + String.format(Locale.ROOT,
                "%n_Load average at the end of the section: %.2f (other processes share the machine)._%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("\n" + text);
        try {
            Path dir = Path.of("target", "bench");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".md"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String header(String title) {
        return "## " + title + "\n\n_Run " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " — " + machine() + "_\n\n";
    }

    static String counts(Map<String, Long> counts) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(counts).forEach((k, v) -> sb.append("| `").append(k).append("` | ").append(v).append(" |\n"));
        return sb.toString();
    }
}
