package org.countersign.playground;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.Optional;
import org.countersign.workflow.EvaluateTicket;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The playground of {@code ./mvnw quarkus:dev}: when COUNTERSIGN_GITLAB_URL points at the playground's
 * port (the {@code %dev} default), a GitLab simulator with a sample board runs in this process, on a
 * fresh database; with a real GitLab configured it stays out of the way. Runs before the schema
 * migration and the first watch of the projects (both at start-up).
 *
 * <p>Only in builds with {@code countersign.playground.enabled=true} (dev mode): the packaged application
 * has no such bean.
 */
@ApplicationScoped
@IfBuildProperty(name = "countersign.playground.enabled", stringValue = "true")
public class Playground {

    private static final Logger LOG = Logger.getLogger(Playground.class);
    private static volatile PlaygroundWorld current;

    private final PlaygroundConfig config;
    private final String gitlabUrl;
    private final String webhookSecret;
    private final String jdbcUrl;
    private final String dbUser;
    private final Optional<String> dbPassword;
    private final int httpPort;

    public Playground(PlaygroundConfig config, @ConfigProperty(name = "countersign.gitlab.url") String gitlabUrl,
                      @ConfigProperty(name = "countersign.webhook.secret") String webhookSecret,
                      @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
                      @ConfigProperty(name = "quarkus.datasource.username") String dbUser,
                      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> dbPassword,
                      @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int httpPort) {
        this.config = config;
        this.gitlabUrl = gitlabUrl;
        this.webhookSecret = webhookSecret;
        this.jdbcUrl = jdbcUrl;
        this.dbUser = dbUser;
        this.dbPassword = dbPassword;
        this.httpPort = httpPort;
    }

    /** The running playground, if this process runs one. */
    public static Optional<PlaygroundWorld> current() {
        return Optional.ofNullable(current);
    }

    /** Whether the configuration asks for the playground: COUNTERSIGN_GITLAB_URL is the simulator's address. */
    boolean active() {
        return gitlabUrl.replaceAll("/+$", "").equals(simulatorUrl());
    }

    String simulatorUrl() {
        return "http://127.0.0.1:" + config.gitlabPort();
    }

    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE - 10) StartupEvent ev) {
        PlaygroundDatabase.Target db = PlaygroundDatabase.parse(jdbcUrl);
        PlaygroundDatabase.ensureServer(db);
        if (!active()) {
            PlaygroundDatabase.ensureDatabase(db, dbUser, dbPassword.orElse(""));
            LOG.infof("playground off: COUNTERSIGN_GITLAB_URL is %s, not the simulator (%s)", gitlabUrl, simulatorUrl());
            return;
        }
        long started = System.nanoTime();
        PlaygroundDatabase.recreate(db, dbUser, dbPassword.orElse(""));
        PlaygroundWorld world = PlaygroundWorld.start(config.gitlabPort(), PlaygroundWorld.BOT_TOKEN);
        String hookUrl = config.webhookUrl().orElse("http://127.0.0.1:" + httpPort + "/webhooks/gitlab");
        world.hook = world.sim.addWebhook(world.project, hookUrl, webhookSecret);
        current = world;
        LOG.infof("%n%n    Playground ready in %d ms: a simulated GitLab (%s) with a sample board."
                + "%n    Open http://localhost:%d/playground to act as each person.%n",
                (System.nanoTime() - started) / 1_000_000, world.sim.baseUrl(), httpPort);
    }

    /**
     * Once the project is watched: decide on every sample ticket now (reconciliation looks only at tickets
     * changed since the watch began, and the sample history was written just before), so the board's
     * waiting tickets are known to Countersign (and the one waiting for two days gets its reminder).
     */
    void decideSampleTickets(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) StartupEvent ev,
                             EvaluateTicket evaluate) {
        PlaygroundWorld world = current;
        if (world == null) {
            return;
        }
        Thread t = new Thread(() -> {
            for (var issue : world.issues()) {
                try {
                    evaluate.evaluate(world.project.id(), issue.iid(), "playground start");
                } catch (RuntimeException e) {
                    LOG.warnf("playground: could not decide on #%d: %s", issue.iid(), e.getMessage());
                }
            }
        }, "playground-first-decisions");
        t.setDaemon(true);
        t.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        PlaygroundWorld world = current;
        current = null;
        if (world != null) {
            world.close(); // frees the port for the next live reload's simulator
        }
    }
}
