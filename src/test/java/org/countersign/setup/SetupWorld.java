package org.countersign.setup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.countersign.e2e.TestDatabase;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimProject;
import org.countersign.gitlab.sim.SimUser;
import org.countersign.gitlab.sim.SimWebhook;

/**
 * A GitLab that has not been set up for Countersign yet: two watched projects, roles enforced as GitLab does.
 * <ul>
 *   <li>{@code ops/alpha}: the bot is Maintainer; no label, no board, no webhook;</li>
 *   <li>{@code ops/beta}: the bot is only Developer; a board with a "Doing" list, and a webhook to
 *       Countersign that someone made by hand with issues and comments only (no push, no confidential
 *       triggers).</li>
 * </ul>
 * Used as a {@code QuarkusTestResource} by {@code @QuarkusTest} classes; a {@code @QuarkusMainTest} starts it
 * itself ({@link #startAsSystemProperties()}): its test resources live in another class loader than the test.
 */
public class SetupWorld implements QuarkusTestResourceLifecycleManager {

    public static final String SECRET = "setup-webhook-secret";
    public static final String PUBLIC_URL = "https://countersign.example.org/";
    public static final String HOOK_URL = "https://countersign.example.org/webhooks/gitlab";

    private static volatile SetupWorld current;

    public GitLabSimulator sim;
    public SimUser bot;
    public SimProject alpha;
    public SimProject beta;
    public SimWebhook betaHook;

    public static SetupWorld current() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        TestDatabase.recreate(TestDatabase.NAME);
        sim = GitLabSimulator.start();
        sim.setEnforceAuthorization(true);
        bot = sim.addUser("countersign-bot", "Countersign");
        SimUser alice = sim.addUser("alice", "Alice Admin");
        alpha = sim.createProject("ops/alpha");
        sim.addMember(alpha, alice, GitLabSimulator.MAINTAINER);
        sim.addMember(alpha, bot, GitLabSimulator.MAINTAINER);
        beta = sim.createProject("ops/beta");
        sim.addMember(beta, alice, GitLabSimulator.MAINTAINER);
        sim.addMember(beta, bot, GitLabSimulator.DEVELOPER);
        sim.createBoard(beta, "Work", "Doing");
        betaHook = sim.setWebhookTriggers(sim.addWebhook(beta, HOOK_URL, "an-old-secret"), true, false, true, false);
        current = this;
        return Map.of(
                "countersign.gitlab.url", sim.baseUrl(),
                "countersign.gitlab.token", bot.token(),
                "countersign.webhook.secret", SECRET,
                "countersign.projects", "ops/alpha, ops/beta",
                "countersign.public-url", PUBLIC_URL,
                "quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(TestDatabase.NAME),
                "quarkus.datasource.username", TestDatabase.user());
    }

    /** Starts the world and hands its configuration to the next launches as system properties. */
    public static SetupWorld startAsSystemProperties() {
        SetupWorld w = new SetupWorld();
        w.start().forEach(System::setProperty);
        return w;
    }

    /** Stops the world and removes the system properties {@link #startAsSystemProperties()} set. */
    public void stopAndClearSystemProperties() {
        for (String key : new java.util.ArrayList<>(System.getProperties().stringPropertyNames())) {
            if (key.startsWith("countersign.") || key.startsWith("quarkus.datasource.")) {
                System.clearProperty(key);
            }
        }
        stop();
    }

    @Override
    public void stop() {
        if (sim != null) {
            sim.close();
        }
    }
}
