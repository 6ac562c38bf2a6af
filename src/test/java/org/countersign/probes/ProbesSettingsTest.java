package org.countersign.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad probe settings are refused at start-up, naming the environment variable. */
class ProbesSettingsTest {

    private static ProbesConfig config(Map<String, String> values) {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(ProbesConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(values, "test", 500)).build();
        return c.getConfigMapping(ProbesConfig.class);
    }

    @Test
    void defaultsAreValid() {
        assertEquals(List.of(), ProbesSettings.problems(config(Map.of())));
        assertEquals("Probe alert", config(Map.of()).probeLabel());
    }

    @Test
    void everyBadValueNamesItsVariable() {
        List<String> p = ProbesSettings.problems(config(Map.of(
                "countersign.probe-label", " ",
                "countersign.probes.webhook.url", "ftp://example.org/hook",
                "countersign.probes.mail.to", "ops@example.org,not-an-address",
                "countersign.probes.ping-burst", "0",
                "countersign.probes.sweep-interval", "10ms")));
        String all = String.join("\n", p);
        assertTrue(all.contains("COUNTERSIGN_PROBE_LABEL (countersign.probe-label) must not be blank"), all);
        assertTrue(all.contains("COUNTERSIGN_PROBES_WEBHOOK_URL (countersign.probes.webhook.url) is not an http(s) URL"), all);
        assertTrue(all.contains("COUNTERSIGN_PROBES_WEBHOOK_SECRET (countersign.probes.webhook.secret) is required"), all);
        assertTrue(all.contains("COUNTERSIGN_PROBES_MAIL_TO (countersign.probes.mail.to): 'not-an-address' is not an e-mail address"), all);
        assertTrue(all.contains("COUNTERSIGN_PROBES_PING_BURST"), all);
        assertTrue(all.contains("COUNTERSIGN_PROBES_SWEEP_INTERVAL"), all);
        assertEquals(6, p.size(), all);
    }
}
