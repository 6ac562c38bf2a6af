package org.countersign.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The configuration the benchmarks run with: the test configuration, except
 * <ul>
 * <li>logging of {@code org.countersign} at INFO (as in production; the test profile logs DEBUG),</li>
 * <li>no periodic reconciliation during the run ({@code 1h}): webhooks alone drive enforcement, and
 *     the reconciliation benchmark runs its passes itself; the start-up pass still happens,</li>
 * <li>a reconciliation overlap of {@code bench.reconcile.overlap} (default 10s, production default 30s) so that
 *     the benchmark can also measure an incremental pass once the overlap window has passed,</li>
 * <li>its own database and world ({@link BenchWorld}), not the shared test resources.</li>
 * </ul>
 */
public class BenchProfile implements QuarkusTestProfile {

    static final String DEFAULT_OVERLAP = "10s";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.log.category.\"org.countersign\".level", System.getProperty("bench.log.level", "INFO"),
                "countersign.reconcile.interval", "1h",
                "countersign.reconcile.overlap", System.getProperty("bench.reconcile.overlap", DEFAULT_OVERLAP));
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(BenchWorld.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
