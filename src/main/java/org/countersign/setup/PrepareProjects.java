package org.countersign.setup;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.countersign.config.CountersignConfig;
import org.countersign.config.Settings;
import org.countersign.governance.Governance;
import org.countersign.policy.AccessLevels;
import org.countersign.setup.SetupReport.Item;
import org.countersign.setup.SetupReport.Outcome;
import org.countersign.store.SetupLock;
import org.countersign.workflow.GitLabFailure;
import org.jboss.logging.Logger;

/**
 * Checks and prepares every watched project so that Countersign can enforce on it: the bot's role, the
 * labels Countersign uses, a board list for the review label, and the project webhook. Idempotent: what
 * is already right is left alone, so a second run changes nothing. Safe with several replicas: runs are
 * serialised by a database lock ({@link SetupLock}); without the database, GitLab still refuses a second
 * label of the same name (409) or a second list for a label (400), both read as "already right", and a
 * duplicate webhook is reported by the next run.
 */
@ApplicationScoped
public class PrepareProjects {

    private static final Logger LOG = Logger.getLogger(PrepareProjects.class);

    /** Where GitLab delivers webhooks, below COUNTERSIGN_PUBLIC_URL. */
    public static final String WEBHOOK_PATH = "/webhooks/gitlab";
    /** Name of the board created when a project has none (GitLab's own default board name). */
    public static final String DEFAULT_BOARD = "Development";
    /**
     * The webhook's triggers: issues, confidential issues, comments, confidential comments, and pushes
     * (policy as code re-reads {@code .countersign.yml} when a push touches it).
     */
    public static final String TRIGGERS = "push, issues, confidential issues, comments, confidential comments";

    /** A label Countersign uses, with what it is created with when missing. */
    public record LabelSpec(String name, String color, String description) {
    }

    private final SetupGitLab gitlab;
    private final Settings settings;
    private final CountersignConfig config;
    private final SetupLock lock;
    private final Governance governance;

    public PrepareProjects(SetupGitLab gitlab, Settings settings, CountersignConfig config, SetupLock lock,
                           Governance governance) {
        this.governance = governance;
        this.gitlab = gitlab;
        this.settings = settings;
        this.config = config;
        this.lock = lock;
    }

    /**
     * The labels Countersign uses: the review label and, when set, the scope label. A feature that
     * needs another label adds it here.
     */
    List<LabelSpec> labels() {
        List<LabelSpec> labels = new ArrayList<>();
        labels.add(new LabelSpec(settings.reviewLabel(), "#F0AD4E",
                "Work done, waiting for a second person's /signoff (Countersign's review column)"));
        settings.scopeLabel().ifPresent(l -> labels.add(new LabelSpec(l, "#428BCA", "Governed by Countersign (four-eyes rule)")));
        if (governance.emergency().enabled()) {
            labels.add(new LabelSpec(governance.emergency().label(), "#D9534F",
                    "Closed under the emergency path: a retroactive /signoff is due (Countersign)"));
        }
        return labels;
    }

    /** The webhook URL: COUNTERSIGN_PUBLIC_URL + {@value #WEBHOOK_PATH}, if the public URL is set. */
    Optional<String> webhookUrl() {
        return config.publicUrl().map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> s.replaceAll("/+$", "") + WEBHOOK_PATH);
    }

    /** Runs the set-up; one run at a time across every instance ({@link SetupLock}). */
    public SetupReport run() {
        return lock.exclusively(this::runLocked);
    }

    private SetupReport runLocked() {
        List<Item> items = new ArrayList<>();
        SetupGitLab.User bot;
        try {
            bot = gitlab.currentUser();
        } catch (GitLabFailure e) {
            items.add(new Item("GitLab", "bot token", Outcome.NEEDS_PERSON, "GET /user failed: " + describe(e)
                    + (e.status() == 401 ? " (check COUNTERSIGN_GITLAB_TOKEN: revoked, expired, or without scope api)" : "")));
            return SetupReport.of(items);
        }
        for (String configured : settings.projects()) {
            prepare(configured, bot, items);
        }
        SetupReport report = SetupReport.of(items);
        LOG.infof("setup: %s", report.ready() ? "ready" : "not ready");
        return report;
    }

    private void prepare(String configured, SetupGitLab.User bot, List<Item> items) {
        SetupGitLab.Project project;
        try {
            project = gitlab.project(configured);
        } catch (GitLabFailure e) {
            items.add(new Item(configured, "project", Outcome.NEEDS_PERSON, "cannot be read by @" + bot.username() + ": "
                    + describe(e) + (e.status() == 404 ? " (no such project, or the bot is not a member)" : "")));
            return;
        }
        role(configured, project, bot, items);
        Optional<SetupGitLab.Label> review = labels(configured, project, items);
        boardList(configured, project, review, items);
        webhook(configured, project, items);
    }

    private void role(String configured, SetupGitLab.Project project, SetupGitLab.User bot, List<Item> items) {
        String subject = "bot role (@" + bot.username() + ")";
        OptionalInt level;
        try {
            level = gitlab.accessLevel(project.id(), bot.id());
        } catch (GitLabFailure e) {
            items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, "cannot be read: " + describe(e)));
            return;
        }
        if (level.isEmpty()) {
            items.add(new Item(configured, subject, Outcome.NEEDS_PERSON,
                    "not a member: add it to the project with the Maintainer role"));
        } else if (level.getAsInt() < AccessLevels.DEVELOPER) {
            items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, AccessLevels.name(level.getAsInt())
                    + ": cannot reopen closed tickets, restore their labels nor lock discussions; give it the Maintainer role"));
        } else if (level.getAsInt() < AccessLevels.MAINTAINER) {
            items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, AccessLevels.name(level.getAsInt())
                    + ": can enforce (reopen, label, lock, comment) but cannot manage the webhook nor see whether GitLab "
                    + "disabled it; the bot needs the Maintainer role to manage webhooks"));
        } else {
            items.add(new Item(configured, subject, Outcome.ALREADY_RIGHT, AccessLevels.name(level.getAsInt())
                    + ": can enforce and manage the webhook"
                    + (level.getAsInt() > AccessLevels.MAINTAINER ? " (more than it needs: Maintainer is enough)" : "")));
        }
    }

    /** Ensures every label exists; returns the review label if it exists now. */
    private Optional<SetupGitLab.Label> labels(String configured, SetupGitLab.Project project, List<Item> items) {
        List<SetupGitLab.Label> existing;
        try {
            existing = new ArrayList<>(gitlab.labels(project.id()));
        } catch (GitLabFailure e) {
            items.add(new Item(configured, "labels", Outcome.NEEDS_PERSON, "cannot be read: " + describe(e)));
            return Optional.empty();
        }
        for (LabelSpec spec : labels()) {
            String subject = "label \"" + spec.name() + "\"";
            Optional<SetupGitLab.Label> found = find(existing, spec.name());
            if (found.isPresent()) {
                items.add(new Item(configured, subject, Outcome.ALREADY_RIGHT, "exists"));
                continue;
            }
            try {
                existing.add(gitlab.createLabel(project.id(), spec.name(), spec.color(), spec.description()));
                items.add(new Item(configured, subject, Outcome.CREATED, "created"));
            } catch (GitLabFailure e) {
                if (e.status() == 409) { // created meanwhile (another run)
                    items.add(new Item(configured, subject, Outcome.ALREADY_RIGHT, "exists"));
                    gitlab.labels(project.id()).stream().filter(l -> l.name().equals(spec.name())).forEach(existing::add);
                } else {
                    items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, "cannot be created: " + describe(e)
                            + "; create it by hand (Manage → Labels), or give the bot the Maintainer role"));
                }
            }
        }
        return find(existing, settings.reviewLabel());
    }

    private void boardList(String configured, SetupGitLab.Project project, Optional<SetupGitLab.Label> review,
                           List<Item> items) {
        String label = settings.reviewLabel();
        String subject = "board list \"" + label + "\"";
        try {
            List<SetupGitLab.Board> boards = gitlab.boards(project.id());
            Optional<SetupGitLab.Board> with = boards.stream().filter(b -> b.listLabels().contains(label)).findFirst();
            if (with.isPresent()) {
                items.add(new Item(configured, subject, Outcome.ALREADY_RIGHT, "on board \"" + with.get().name() + "\""));
                return;
            }
            if (review.isEmpty()) {
                items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, "missing, and the label it needs is missing too"));
                return;
            }
            String note = "";
            SetupGitLab.Board board;
            if (boards.isEmpty()) {
                board = gitlab.createBoard(project.id(), DEFAULT_BOARD);
                note = " (board created)";
            } else {
                board = boards.get(0);
            }
            try {
                gitlab.createBoardList(project.id(), board.id(), review.get().id());
            } catch (GitLabFailure e) {
                if (e.status() == 400 && gitlab.boards(project.id()).stream().anyMatch(b -> b.listLabels().contains(label))) {
                    items.add(new Item(configured, subject, Outcome.ALREADY_RIGHT, "on board \"" + board.name() + "\""));
                    return;
                }
                throw e;
            }
            items.add(new Item(configured, subject, Outcome.CREATED, "on board \"" + board.name() + "\"" + note
                    + "; place it after your work-in-progress column"));
        } catch (GitLabFailure e) {
            items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, "cannot be created: " + describe(e)
                    + "; on the issue board, add a list for the label \"" + label + "\""));
        }
    }

    private void webhook(String configured, SetupGitLab.Project project, List<Item> items) {
        String subject = "webhook";
        Optional<String> url = webhookUrl();
        if (url.isEmpty()) {
            items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, "COUNTERSIGN_PUBLIC_URL is not set: set it to the "
                    + "address GitLab reaches Countersign at, so that setup can point the webhook at it"));
            return;
        }
        SetupGitLab.HookSpec spec = new SetupGitLab.HookSpec(url.get(), settings.webhookSecret());
        String manual = "; or add it by hand in Settings → Webhooks: URL " + url.get()
                + ", secret token = COUNTERSIGN_WEBHOOK_SECRET, triggers " + TRIGGERS;
        try {
            List<SetupGitLab.Hook> ours = gitlab.hooks(project.id()).stream().filter(h -> sameUrl(h.url(), url.get())).toList();
            if (ours.isEmpty()) {
                gitlab.createHook(project.id(), spec);
                items.add(new Item(configured, subject, Outcome.CREATED, url.get() + " with the secret, triggers " + TRIGGERS));
                return;
            }
            SetupGitLab.Hook hook = ours.get(0);
            List<String> missing = missingTriggers(hook);
            if (!missing.isEmpty()) {
                gitlab.updateHook(project.id(), hook.id(), spec);
                items.add(new Item(configured, subject, Outcome.UPDATED, url.get() + ": turned on " + String.join(", ", missing)
                        + " (and set the secret)"));
            } else {
                items.add(new Item(configured, subject, Outcome.ALREADY_RIGHT, url.get() + ", triggers " + TRIGGERS
                        + " (GitLab never shows a hook's secret: a wrong one shows as refused deliveries in /q/health/well)"));
            }
            if (hook.alertStatus() != null && !hook.alertStatus().equals("executable")) {
                items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, "GitLab disabled it after failed deliveries ("
                        + hook.alertStatus() + "): once Countersign is reachable, send a test event from Settings → Webhooks "
                        + "(Test → Issue events) to enable it again"));
            }
            if (ours.size() > 1) {
                items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, ours.size() + " webhooks point at " + url.get()
                        + ": delete all but one in Settings → Webhooks"));
            }
        } catch (GitLabFailure e) {
            items.add(new Item(configured, subject, Outcome.NEEDS_PERSON, (e.status() == 403
                    ? "the bot needs the Maintainer role to manage webhooks" : "cannot be checked: " + describe(e)) + manual));
        }
    }

    static List<String> missingTriggers(SetupGitLab.Hook h) {
        List<String> missing = new ArrayList<>();
        if (!h.pushEvents()) {
            missing.add("push events");
        }
        if (!h.issuesEvents()) {
            missing.add("issues events");
        }
        if (!h.confidentialIssuesEvents()) {
            missing.add("confidential issues events");
        }
        if (!h.noteEvents()) {
            missing.add("comments");
        }
        if (!h.confidentialNoteEvents()) {
            missing.add("confidential comments");
        }
        if (!h.sslVerification()) {
            missing.add("SSL verification");
        }
        return missing;
    }

    private static boolean sameUrl(String a, String b) {
        return a != null && a.replaceAll("/+$", "").equalsIgnoreCase(b.replaceAll("/+$", ""));
    }

    private static Optional<SetupGitLab.Label> find(List<SetupGitLab.Label> labels, String name) {
        return labels.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    private static String describe(GitLabFailure e) {
        return e.status() == 0 ? "GitLab could not be reached (" + e.getMessage() + ")" : "GitLab answered " + e.status()
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }
}
