package org.countersign.probes;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.countersign.e2e.GitLabWorld;

/**
 * What probes need on top of {@link GitLabWorld} (same simulated GitLab, same database): a checks file, a
 * receiver of the outgoing webhook (JDK HttpServer) and a real SMTP server in-process (GreenMail). Declare
 * it with {@code restrictToAnnotatedClass = true} next to GitLabWorld (a global resource of every other
 * test application would reach them all); it starts after it ({@link #order()}).
 */
public class ProbeWorld implements QuarkusTestResourceLifecycleManager {

    public static final String WEBHOOK_SECRET = "probe-hook-secret";
    public static final String BACKUP_KEY = "0f8a6c3e-1b2d-4e5f-8a9b-0c1d2e3f4a5b";
    public static final String RUNAWAY_KEY = "11111111-2222-4333-8444-555555555555";
    public static final String PRIVATE_KEY = "99999999-8888-4777-8666-555555555555";
    public static final String CHECKS = """
            checks:
              - slug: nightly-backup
                name: Nightly backup
                ping-key: %s
                period: 1d
                grace: 2h
                min-duration: 1m
                owners: [carol]
              - slug: runaway
                name: Runaway loop
                ping-key: %s
                period: 1h
                grace: 5m
              - slug: secret-job
                name: Secret job
                ping-key: %s
                cron: "0 3 * * *"
                timezone: Europe/Paris
                grace: 1h
                public: false
              - slug: generated-key
                name: Key generated
                period: 1d
                grace: 1h
            """.formatted(BACKUP_KEY, RUNAWAY_KEY, PRIVATE_KEY);

    /** A request the webhook receiver got: its headers (lower-case names) and body. */
    public record Received(Map<String, String> headers, byte[] body) {
    }

    private static volatile ProbeWorld currentProbes;

    public GreenMail mail;
    public HttpServer receiver;
    public final List<Received> webhooks = new CopyOnWriteArrayList<>();
    /** Slugs whose alerts the receiver refuses (500), as a broken receiver would, until removed. */
    public final java.util.Set<String> failingSlugs = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public static ProbeWorld currentProbes() {
        return currentProbes;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        try {
            Path file = Files.createTempFile("countersign-checks", ".yaml");
            Files.writeString(file, CHECKS);
            file.toFile().deleteOnExit();
            receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            receiver.createContext("/hook", ex -> {
                Map<String, String> h = new HashMap<>();
                ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
                byte[] body = ex.getRequestBody().readAllBytes();
                String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
                if (failingSlugs.stream().anyMatch(slug -> text.contains("\"slug\":\"" + slug + "\""))) {
                    ex.sendResponseHeaders(500, -1);
                    ex.close();
                    return;
                }
                webhooks.add(new Received(h, body));
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            receiver.start();
            mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
            mail.start();
            config.put("countersign.checks-file", file.toString());
            config.put("countersign.probes.webhook.url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
            config.put("countersign.probes.webhook.secret", WEBHOOK_SECRET);
            // an alert a receiver keeps refusing is parked as dead after 3 tries (1 s, 2 s apart), not 8
            config.put("countersign.probes.alert-max-attempts", "3");
            config.put("countersign.probes.mail.to", "ops@example.org,admin@example.org");
            config.put("quarkus.mailer.host", "127.0.0.1");
            config.put("quarkus.mailer.port", String.valueOf(mail.getSmtp().getPort()));
            config.put("countersign.public-url", "https://status.example.org");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        currentProbes = this;
        return config;
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (mail != null) {
            mail.stop();
        }
        currentProbes = null;
    }

    @Override
    public int order() {
        return 1;
    }
}
