package org.countersign.playground;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimIssue;
import org.countersign.gitlab.sim.SimProject;
import org.countersign.gitlab.sim.SimUser;
import org.countersign.gitlab.sim.SimWebhook;

/**
 * The sample board a newcomer plays with: a small team, one project with the board's columns, and
 * tickets in each column, written into a fresh GitLab simulator before Countersign starts watching.
 */
public final class PlaygroundWorld {

    public static final String PROJECT_PATH = "playground/interventions";
    public static final String DOING = "Doing";
    public static final String REVIEW = "To validate";
    public static final String BOT_TOKEN = "glpat-playground-countersign-bot";

    /** The people one may act as, with what they are in the story. */
    public record Person(SimUser user, String role) {
    }

    public final GitLabSimulator sim;
    public final SimProject project;
    public final SimUser bot;
    public final Map<String, Person> people = new LinkedHashMap<>();
    public SimWebhook hook;

    private PlaygroundWorld(GitLabSimulator sim, SimProject project, SimUser bot) {
        this.sim = sim;
        this.project = project;
        this.bot = bot;
    }

    /** Starts a simulator on {@code port} and writes the sample board into it. */
    public static PlaygroundWorld start(int port, String botToken) {
        GitLabSimulator sim = GitLabSimulator.start(port);
        try {
            return seed(sim, botToken);
        } catch (RuntimeException e) {
            sim.close();
            throw e;
        }
    }

    static PlaygroundWorld seed(GitLabSimulator sim, String botToken) {
        sim.setEnforceAuthorization(true);
        SimUser bot = sim.addUser("countersign-bot", "Countersign", botToken);
        SimProject project = sim.createProject(PROJECT_PATH);
        PlaygroundWorld w = new PlaygroundWorld(sim, project, bot);
        SimUser alice = w.person("alice", "Alice Author", GitLabSimulator.DEVELOPER, "files tickets (Developer)");
        SimUser bob = w.person("bob", "Bob Builder", GitLabSimulator.DEVELOPER, "does the work (Developer, assignee)");
        SimUser carol = w.person("carol", "Carol Checker", GitLabSimulator.DEVELOPER, "reviews (Developer)");
        w.person("dave", "Dave Maintainer", GitLabSimulator.MAINTAINER, "reviews (Maintainer)");
        w.person("rita", "Rita Reporter", GitLabSimulator.REPORTER, "Reporter: may not sign off");
        sim.addMember(project, bot, GitLabSimulator.DEVELOPER);
        sim.createBoard(project, "Interventions", DOING, REVIEW);

        // history written in the past, as if the team had been at work for a few days
        Clock now = Clock.systemUTC();
        sim.setClock(Clock.offset(now, Duration.ofDays(-3)));
        SimIssue done = sim.createIssue(alice, project, "Renew the domain name for two years", bob);
        sim.moveToList(bob, project, done.iid(), null, DOING);
        sim.close(bob, project, done.iid());
        SimIssue waiting = sim.createIssue(alice, project, "Patch the hypervisors (kernel 6.12.9)", bob);
        sim.moveToList(bob, project, waiting.iid(), null, DOING);
        sim.setClock(Clock.offset(now, Duration.ofDays(-2)));
        sim.moveToList(bob, project, waiting.iid(), DOING, REVIEW);
        sim.setClock(Clock.offset(now, Duration.ofHours(-3)));
        SimIssue doing = sim.createIssue(alice, project, "Re-enable the nightly backup job", bob);
        sim.moveToList(bob, project, doing.iid(), null, DOING);
        SimIssue unreviewed = sim.createIssue(alice, project, "Rotate the TLS certificates", bob);
        sim.moveToList(bob, project, unreviewed.iid(), null, DOING);
        sim.moveToList(bob, project, unreviewed.iid(), DOING, REVIEW);
        SimIssue reviewed = sim.createIssue(alice, project, "Upgrade PostgreSQL to 17", bob);
        sim.moveToList(bob, project, reviewed.iid(), null, DOING);
        sim.moveToList(bob, project, reviewed.iid(), DOING, REVIEW);
        sim.setClock(Clock.offset(now, Duration.ofHours(-1)));
        sim.comment(carol, project, reviewed.iid(), "/signoff restored yesterday's dump on the new version, row counts match");
        sim.setClock(now);
        return w;
    }

    private SimUser person(String username, String name, int level, String role) {
        SimUser u = sim.addUser(username, name);
        sim.addMember(project, u, level);
        people.put(username, new Person(u, role));
        return u;
    }

    public List<SimIssue> issues() {
        return sim.issues(project);
    }

    public void close() {
        sim.close();
    }
}
