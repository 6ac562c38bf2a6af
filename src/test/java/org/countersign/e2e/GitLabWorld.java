package org.countersign.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimProject;
import org.countersign.gitlab.sim.SimUser;
import org.countersign.gitlab.sim.SimWebhook;

/**
 * The world the service runs against in tests: a fresh PostgreSQL database and a GitLab simulator
 * holding a team, one watched project with a board (Doing, To validate) and a webhook to the
 * service. The webhook's URL is set by {@link E2eSupport} once the service's random port is known.
 */
public class GitLabWorld implements QuarkusTestResourceLifecycleManager {

    public static final String SECRET = "s3cret-webhook-token";
    public static final String PROJECT_PATH = "infra/interventions";
    public static final String REVIEW = "To validate";
    public static final String DOING = "Doing";

    private static volatile GitLabWorld current;

    public GitLabSimulator sim;
    public final StrictClock clock = new StrictClock();
    public SimUser bot;
    /** Files tickets; author. */
    public SimUser alice;
    /** Does the work; assignee. */
    public SimUser bob;
    /** Developer, eligible reviewer. */
    public SimUser carol;
    /** Maintainer, eligible reviewer. */
    public SimUser dave;
    /** Reporter: may not sign off. */
    public SimUser rita;
    /** Not a member of the project. */
    public SimUser oscar;
    public SimProject project;
    /** Another project, not watched by Countersign (tickets moved there leave the board). */
    public SimProject archive;
    public SimWebhook hook;

    public static GitLabWorld current() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        prepareDatabase();
        sim = newSimulator();
        sim.setClock(clock);
        // As GitLab does: roles are checked (project_policy.rb), and a change of state with other changes
        // in one update fires two hooks (the state service's, then the update's).
        sim.setEnforceAuthorization(true);
        sim.setSplitStateChangeHooks(true);
        bot = sim.addUser("countersign-bot", "Countersign");
        alice = sim.addUser("alice", "Alice Author");
        bob = sim.addUser("bob", "Bob Builder");
        carol = sim.addUser("carol", "Carol Checker");
        dave = sim.addUser("dave", "Dave Maintainer");
        rita = sim.addUser("rita", "Rita Reporter");
        oscar = sim.addUser("oscar", "Oscar Outsider");
        project = sim.createProject(PROJECT_PATH);
        sim.addMember(project, bot, GitLabSimulator.DEVELOPER);
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, bob, GitLabSimulator.DEVELOPER);
        sim.addMember(project, carol, GitLabSimulator.DEVELOPER);
        sim.addMember(project, dave, GitLabSimulator.MAINTAINER);
        sim.addMember(project, rita, GitLabSimulator.REPORTER);
        sim.createBoard(project, "Interventions", DOING, REVIEW);
        archive = sim.createProject("infra/archive");
        sim.addMember(archive, bob, GitLabSimulator.DEVELOPER);
        sim.addMember(archive, bot, GitLabSimulator.DEVELOPER);
        // Until the service is up, deliveries go nowhere (and would only make the hook look failing).
        hook = sim.addWebhook(project, "http://127.0.0.1:9/unset", SECRET);
        current = this;
        return Map.of(
                "countersign.gitlab.url", sim.baseUrl(),
                "countersign.gitlab.token", bot.token(),
                "countersign.webhook.secret", SECRET,
                "countersign.projects", PROJECT_PATH,
                "quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(TestDatabase.NAME),
                "quarkus.datasource.username", TestDatabase.user());
    }

    protected GitLabSimulator newSimulator() {
        return GitLabSimulator.start();
    }

    protected void prepareDatabase() {
        TestDatabase.recreate(TestDatabase.NAME);
    }

    @Override
    public void stop() {
        if (sim != null) {
            sim.close();
        }
    }
}
