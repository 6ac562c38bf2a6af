package org.countersign.playground;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Optional;

/**
 * The dev-mode playground ({@code countersign.playground.*}). {@code enabled} is read at build time: the
 * playground's beans exist only in a build where it is true (the {@code %dev} profile of
 * application.properties), never in the packaged application.
 */
@ConfigMapping(prefix = "countersign.playground")
public interface PlaygroundConfig {

    /** Build-time switch of the playground's beans (true in dev mode only). */
    @WithDefault("false")
    boolean enabled();

    /** Loopback port of the in-process GitLab simulator; the playground runs when COUNTERSIGN_GITLAB_URL points at it. */
    @WithName("gitlab-port")
    @WithDefault("18090")
    int gitlabPort();

    /** Where the simulator sends its webhooks; default {@code http://127.0.0.1:<quarkus.http.port>/webhooks/gitlab}. */
    @WithName("webhook-url")
    Optional<String> webhookUrl();
}
