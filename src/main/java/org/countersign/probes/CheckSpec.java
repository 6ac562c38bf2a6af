package org.countersign.probes;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A check as declared (checks file or REST API). {@code project}: the watched project (id or path) its
 * tickets go to, empty for the first watched project.
 */
public record CheckSpec(String slug, String name, UUID pingKey, Schedule schedule, Optional<Duration> minDuration,
                        Optional<String> project, List<String> owners, boolean isPublic) {

    /** URL-safe: lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 64. */
    public static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    /** A GitLab username. */
    public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}");

    public CheckSpec {
        owners = List.copyOf(owners);
    }
}
