package org.countersign.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link BenchProfile} with the periodic reconciliation running, every {@code bench.reconcile.interval}
 * (default 3s) with the production overlap (30s unless {@code bench.reconcile.overlap} says otherwise):
 * what one undone close costs in GitLab calls when reconciliation passes run meanwhile.
 */
public class ReconcilingBenchProfile extends BenchProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("countersign.reconcile.interval", System.getProperty("bench.reconcile.interval", "3s"));
        config.put("countersign.reconcile.overlap", System.getProperty("bench.reconcile.overlap", "30s"));
        return config;
    }
}
