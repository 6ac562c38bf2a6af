package org.countersign.probes;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the heartbeat probes (issue 8). Validated at start-up by {@link ProbesSettings}, naming the
 * environment variable.
 */
@ConfigMapping(prefix = "countersign")
public interface ProbesConfig {

    /** COUNTERSIGN_CHECKS_FILE: the YAML file declaring the checks (top-level {@code checks:} list). */
    @WithName("checks-file")
    Optional<String> checksFile();

    /** COUNTERSIGN_PROBE_LABEL: the label of the tickets probes open. */
    @WithName("probe-label")
    @WithDefault("Probe alert")
    String probeLabel();

    Probes probes();

    interface Probes {
        /** COUNTERSIGN_PROBES_SWEEP_INTERVAL: how often checks are swept for lateness and alerts are sent. */
        @WithName("sweep-interval")
        @WithDefault("10s")
        Duration sweepInterval();

        /** COUNTERSIGN_PROBES_PING_BURST: pings a key may send at once before the rate limit (429) applies. */
        @WithName("ping-burst")
        @WithDefault("20")
        int pingBurst();

        /** COUNTERSIGN_PROBES_PING_RATE: pings per minute a key may send in the long run. */
        @WithName("ping-rate")
        @WithDefault("60")
        int pingRate();

        /** COUNTERSIGN_PROBES_ALERT_MAX_ATTEMPTS: tries of an alert (webhook, e-mail, ticket) before it is DEAD. */
        @WithName("alert-max-attempts")
        @WithDefault("8")
        int alertMaxAttempts();

        Webhook webhook();

        Mail mail();
    }

    interface Webhook {
        /** COUNTERSIGN_PROBES_WEBHOOK_URL: where alerts are POSTed as JSON; unset = no webhook. */
        Optional<String> url();

        /** COUNTERSIGN_PROBES_WEBHOOK_SECRET: the HMAC-SHA256 key of the {@code X-Countersign-Signature} header. */
        Optional<String> secret();
    }

    interface Mail {
        /** COUNTERSIGN_PROBES_MAIL_TO: addresses alerted by e-mail, comma-separated; unset = no e-mail. */
        Optional<List<String>> to();
    }
}
