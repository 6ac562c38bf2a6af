package org.countersign.probes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the checks file ({@code COUNTERSIGN_CHECKS_FILE}): a top-level {@code checks:} list, one mapping
 * per check. Every problem is reported at once, each naming the check and the key, so that a change to
 * the file can be fixed in one go. The same rules read a check given as JSON to the REST API.
 */
public final class ChecksFile {

    static final Set<String> KEYS = Set.of("slug", "name", "ping-key", "period", "grace", "cron", "timezone",
            "min-duration", "project", "owners", "public");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ChecksFile() {
    }

    /** A check of the file, and whether the file gave its ping key (else one was generated). */
    public record Declared(CheckSpec spec, boolean keyGiven) {
    }

    /** @throws ChecksFileException listing every problem */
    public static List<CheckSpec> parse(String yaml) {
        return parseDeclared(yaml).stream().map(Declared::spec).toList();
    }

    /** @throws ChecksFileException listing every problem */
    public static List<Declared> parseDeclared(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ChecksFileException(List.of("not valid YAML: " + firstLine(e.getMessage())));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return List.of();
        }
        if (!root.isObject() || !root.has("checks")) {
            throw new ChecksFileException(List.of("the file must have a top-level 'checks:' list"));
        }
        JsonNode list = root.get("checks");
        if (list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new ChecksFileException(List.of("'checks' must be a list of mappings, one per check"));
        }
        List<String> problems = new ArrayList<>();
        List<Declared> specs = new ArrayList<>();
        Set<String> slugs = new HashSet<>();
        Set<UUID> keys = new HashSet<>();
        int n = 0;
        for (JsonNode node : list) {
            n++;
            List<String> own = new ArrayList<>();
            Optional<CheckSpec> spec = read(node, "check #" + n, own);
            problems.addAll(own);
            spec.ifPresent(s -> {
                if (!slugs.add(s.slug())) {
                    problems.add("check '" + s.slug() + "': key 'slug': used by more than one check");
                } else if (!keys.add(s.pingKey())) {
                    problems.add("check '" + s.slug() + "': key 'ping-key': used by more than one check");
                } else {
                    specs.add(new Declared(s, node.hasNonNull("ping-key")));
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new ChecksFileException(problems);
        }
        return specs;
    }

    /** One check from a mapping (YAML or JSON); {@code problems} gets a sentence per problem. */
    public static Optional<CheckSpec> read(JsonNode node, String fallbackLabel, List<String> problems) {
        if (node == null || !node.isObject()) {
            problems.add(fallbackLabel + ": must be a mapping of keys (slug, name, period, grace…)");
            return Optional.empty();
        }
        String slug = text(node, "slug");
        String label = slug != null ? "check '" + slug + "'" : fallbackLabel;
        int before = problems.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                problems.add(label + ": unknown key '" + key + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        if (slug == null || slug.isBlank()) {
            problems.add(label + ": key 'slug' is required (lower-case letters, digits, '-' or '_', e.g. nightly-backup)");
        } else if (!CheckSpec.SLUG.matcher(slug).matches()) {
            problems.add(label + ": key 'slug': '" + slug + "' is not URL-safe (lower-case letters, digits, '-' or '_', "
                    + "at most 64, e.g. nightly-backup)");
        }
        String name = text(node, "name");
        if (name == null || name.isBlank()) {
            problems.add(label + ": key 'name' is required (e.g. Nightly backup)");
        } else if (name.length() > 200) {
            problems.add(label + ": key 'name' is longer than 200 characters");
        }
        UUID pingKey = UUID.randomUUID();
        String keyText = text(node, "ping-key");
        if (keyText != null) {
            try {
                pingKey = UUID.fromString(keyText.strip());
                if (!pingKey.toString().equals(keyText.strip().toLowerCase(java.util.Locale.ROOT))) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                problems.add(label + ": key 'ping-key': '" + keyText + "' is not a UUID (leave it out to have one generated)");
            }
        }
        Duration grace = duration(node, "grace", label, problems);
        String periodText = text(node, "period");
        String cronText = text(node, "cron");
        Schedule schedule = null;
        if (periodText != null && cronText != null) {
            problems.add(label + ": give either 'period' or 'cron', not both");
        } else if (periodText == null && cronText == null) {
            problems.add(label + ": a schedule is required: 'period' (e.g. 1d) or 'cron' (five fields, e.g. '0 3 * * *'), with 'grace'");
        } else if (grace == null && !node.has("grace")) {
            problems.add(label + ": key 'grace' is required (how long after the due time the check goes down, e.g. 2h)");
        } else if (periodText != null) {
            if (node.has("timezone")) {
                problems.add(label + ": key 'timezone' only applies to a 'cron' schedule");
            }
            Duration period = duration(node, "period", label, problems);
            if (period != null && grace != null) {
                if (period.isZero()) {
                    problems.add(label + ": key 'period' must be positive");
                } else {
                    schedule = new Schedule.Period(period, grace);
                }
            }
        } else {
            ZoneId zone = java.time.ZoneOffset.UTC;
            String tz = text(node, "timezone");
            if (tz != null) {
                try {
                    zone = ZoneId.of(tz.strip());
                } catch (DateTimeException e) {
                    problems.add(label + ": key 'timezone': '" + tz + "' is not a time zone (e.g. Europe/Paris, UTC)");
                    zone = null;
                }
            }
            if (zone != null && grace != null) {
                try {
                    schedule = Schedule.CronSchedule.of(cronText, zone, grace);
                } catch (IllegalArgumentException e) {
                    problems.add(label + ": key 'cron': " + e.getMessage());
                }
            }
        }
        Optional<Duration> minDuration = Optional.empty();
        if (node.has("min-duration")) {
            minDuration = Optional.ofNullable(duration(node, "min-duration", label, problems));
        }
        Optional<String> project = Optional.ofNullable(text(node, "project")).map(String::strip).filter(s -> !s.isEmpty());
        List<String> owners = new ArrayList<>();
        JsonNode o = node.get("owners");
        if (o != null && !o.isNull()) {
            if (!o.isArray()) {
                problems.add(label + ": key 'owners' must be a list of GitLab usernames, e.g. [alice, bob]");
            } else {
                for (JsonNode u : o) {
                    String user = u.asText("").strip();
                    if (user.startsWith("@")) {
                        user = user.substring(1);
                    }
                    if (!u.isValueNode() || !CheckSpec.USERNAME.matcher(user).matches()) {
                        problems.add(label + ": key 'owners': '" + u.asText() + "' is not a GitLab username");
                    } else {
                        owners.add(user);
                    }
                }
            }
        }
        boolean isPublic = true;
        JsonNode p = node.get("public");
        if (p != null && !p.isNull()) {
            if (!p.isBoolean()) {
                problems.add(label + ": key 'public' must be true or false");
            } else {
                isPublic = p.booleanValue();
            }
        }
        if (problems.size() > before || schedule == null) {
            return Optional.empty();
        }
        return Optional.of(new CheckSpec(slug, name.strip(), pingKey, schedule, minDuration, project, owners, isPublic));
    }

    private static Duration duration(JsonNode node, String key, String label, List<String> problems) {
        String t = text(node, key);
        if (t == null) {
            return null;
        }
        try {
            return Durations.parse(t);
        } catch (IllegalArgumentException e) {
            problems.add(label + ": key '" + key + "': " + e.getMessage());
            return null;
        }
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
