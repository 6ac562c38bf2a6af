package org.countersign.probes;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The validated probe settings and the checks file, read once at start-up: a bad value stops the service
 * with one message naming every offending environment variable (and, for the checks file, every check and
 * key), in the spirit of {@code config/ConfigValidation}.
 */
@Startup
@ApplicationScoped
public class ProbesSettings {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    private final ProbesConfig config;
    private final List<ChecksFile.Declared> fileChecks;

    public ProbesSettings(ProbesConfig config) {
        List<String> p = problems(config);
        List<ChecksFile.Declared> checks = List.of();
        if (config.checksFile().filter(s -> !s.isBlank()).isPresent()) {
            Path file = Path.of(config.checksFile().get().strip());
            try {
                checks = ChecksFile.parseDeclared(Files.readString(file));
            } catch (java.io.IOException e) {
                p.add("COUNTERSIGN_CHECKS_FILE (countersign.checks-file): cannot read '" + file + "': " + e);
            } catch (ChecksFileException e) {
                for (String problem : e.problems()) {
                    p.add("COUNTERSIGN_CHECKS_FILE (countersign.checks-file) " + file + ": " + problem);
                }
            }
        }
        if (!p.isEmpty()) {
            throw new ConfigurationException("Countersign cannot start, fix the probe settings:\n  - " + String.join("\n  - ", p));
        }
        this.config = config;
        this.fileChecks = checks;
    }

    /** Every problem with the settings (the checks file aside), one sentence each. */
    public static List<String> problems(ProbesConfig c) {
        List<String> p = new ArrayList<>();
        if (c.probeLabel().isBlank()) {
            p.add("COUNTERSIGN_PROBE_LABEL (countersign.probe-label) must not be blank");
        }
        if (c.probes().sweepInterval().toMillis() < 100) {
            p.add("COUNTERSIGN_PROBES_SWEEP_INTERVAL (countersign.probes.sweep-interval) must be at least 100ms");
        }
        if (c.probes().pingBurst() < 1) {
            p.add("COUNTERSIGN_PROBES_PING_BURST (countersign.probes.ping-burst) must be at least 1");
        }
        if (c.probes().pingRate() < 1) {
            p.add("COUNTERSIGN_PROBES_PING_RATE (countersign.probes.ping-rate) must be at least 1 (pings per minute)");
        }
        if (c.probes().alertMaxAttempts() < 1) {
            p.add("COUNTERSIGN_PROBES_ALERT_MAX_ATTEMPTS (countersign.probes.alert-max-attempts) must be at least 1");
        }
        Optional<String> url = c.probes().webhook().url().filter(s -> !s.isBlank());
        if (url.isPresent() && !isHttpUrl(url.get())) {
            p.add("COUNTERSIGN_PROBES_WEBHOOK_URL (countersign.probes.webhook.url) is not an http(s) URL: '" + url.get() + "'");
        }
        if (url.isPresent() && c.probes().webhook().secret().filter(s -> !s.isBlank()).isEmpty()) {
            p.add("COUNTERSIGN_PROBES_WEBHOOK_SECRET (countersign.probes.webhook.secret) is required with "
                    + "COUNTERSIGN_PROBES_WEBHOOK_URL: the key that signs each alert (X-Countersign-Signature)");
        }
        for (String to : c.probes().mail().to().orElse(List.of())) {
            if (!to.isBlank() && !EMAIL.matcher(to.strip()).matches()) {
                p.add("COUNTERSIGN_PROBES_MAIL_TO (countersign.probes.mail.to): '" + to + "' is not an e-mail address");
            }
        }
        return p;
    }

    public ProbesConfig config() {
        return config;
    }

    public List<ChecksFile.Declared> fileChecks() {
        return fileChecks;
    }

    public boolean fileManaged() {
        return config.checksFile().filter(s -> !s.isBlank()).isPresent();
    }

    /** How a ping URL looks, without any key: shown in tickets and docs. */
    public String pingUrlShape() {
        String base = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("countersign.public-url", String.class).filter(s -> !s.isBlank())
                .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s).orElse("https://<countersign-host>");
        return base + "/ping/<ping-key>";
    }

    public Optional<String> webhookUrl() {
        return config.probes().webhook().url().filter(s -> !s.isBlank());
    }

    public List<String> mailTo() {
        return config.probes().mail().to().orElse(List.of()).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI u = URI.create(s);
            return ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
