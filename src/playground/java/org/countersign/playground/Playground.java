package org.countersign.playground;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.Optional;
import org.countersign.people.GitLabLogin;
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
    private final Optional<String> clientId;
    private final Optional<String> clientSecret;
    private final Optional<String> publicUrl;

    public Playground(PlaygroundConfig config, @ConfigProperty(name = "countersign.gitlab.url") String gitlabUrl,
                      @ConfigProperty(name = "countersign.webhook.secret") String webhookSecret,
                      @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
                      @ConfigProperty(name = "quarkus.datasource.username") String dbUser,
                      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> dbPassword,
                      @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int httpPort,
                      @ConfigProperty(name = "countersign.oidc.client-id") Optional<String> clientId,
                      @ConfigProperty(name = "countersign.oidc.client-secret") Optional<String> clientSecret,
                      @ConfigProperty(name = "countersign.public-url") Optional<String> publicUrl) {
        this.config = config;
        this.gitlabUrl = gitlabUrl;
        this.webhookSecret = webhookSecret;
        this.jdbcUrl = jdbcUrl;
        this.dbUser = dbUser;
        this.dbPassword = dbPassword;
        this.httpPort = httpPort;
        this.clientId = clientId.filter(v -> !v.isBlank());
        this.clientSecret = clientSecret.filter(v -> !v.isBlank());
        this.publicUrl = publicUrl.filter(v -> !v.isBlank()).map(v -> v.replaceAll("/+$", ""));
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
        registerLogin(world);
        current = world;
        LOG.infof("%n%n    Playground ready in %d ms: a simulated GitLab (%s) with a sample board."
                + "%n    Open http://localhost:%d/playground to act as each person%s.%n",
                (System.nanoTime() - started) / 1_000_000, world.sim.baseUrl(), httpPort,
                clientId.isPresent() ? "; http://localhost:" + httpPort + "/queue for Countersign's own pages (sign in"
                        + " as any of them, any password)" : "");
    }

    /**
     * Log in with GitLab on the playground: the simulated GitLab gets the OAuth application whose id and secret
     * the {@code %dev} profile gives Countersign, so the people's pages (queue, ticket pages, audit) work with a
     * sign-in as any sample person. The callback is registered for COUNTERSIGN_PUBLIC_URL and for the same
     * address with localhost and 127.0.0.1 swapped: a newcomer may type either.
     */
    private void registerLogin(PlaygroundWorld world) {
        if (clientId.isEmpty() || clientSecret.isEmpty()) {
            return;
        }
        String base = publicUrl.orElse("http://localhost:" + httpPort);
        java.util.LinkedHashSet<String> callbacks = new java.util.LinkedHashSet<>();
        callbacks.add(base + GitLabLogin.CALLBACK);
        callbacks.add(base.replace("://localhost", "://127.0.0.1") + GitLabLogin.CALLBACK);
        callbacks.add(base.replace("://127.0.0.1", "://localhost") + GitLabLogin.CALLBACK);
        world.sim.registerOAuthApplication("Countersign playground", clientId.get(), clientSecret.get(),
                String.join("\n", callbacks));
        world.sim.oidc().setSignInText("Playground: sign in as " + String.join(", ", world.people.keySet())
                + ", with any password.");
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
