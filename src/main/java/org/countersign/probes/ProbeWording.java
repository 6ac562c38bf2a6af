package org.countersign.probes;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;
import org.countersign.policy.Wording;
import org.countersign.store.ProbeStore;

/** The text of probe tickets, notes and e-mails. Never contains a ping key. */
public final class ProbeWording {

    /** Kept of the last run's log in a ticket or comment (its end: where errors are). */
    static final int EXCERPT = 3000;

    private ProbeWording() {
    }

    /** Hidden in a ticket's description or a note: finds it again after a retry. */
    public static String marker(long alertId) {
        return "<!-- countersign:probe-alert:" + alertId + " -->";
    }

    public static String title(StoredCheck c) {
        return "Probe down: " + c.spec().name();
    }

    public static String expected(CheckSpec s) {
        String grace = Durations.format(s.schedule().grace());
        String sched = s.schedule() instanceof Schedule.Period p
                ? "a ping every " + Durations.format(p.period()) + " (grace " + grace + ")"
                : "a ping on the cron schedule `" + ((Schedule.CronSchedule) s.schedule()).expression() + "` ("
                + ((Schedule.CronSchedule) s.schedule()).zone().getId() + ", grace " + grace + ")";
        return sched + s.minDuration().map(m -> ", each run lasting at least " + Durations.format(m) + " after its start ping").orElse("");
    }

    private static String mentions(CheckSpec s) {
        return s.owners().isEmpty() ? "" : s.owners().stream().map(o -> "@" + o).collect(Collectors.joining(" ")) + " ";
    }

    public static String description(StoredCheck c, ProbeStore.StoredTransition t, Optional<ProbeStore.StoredPing> lastRun,
                                     String pingUrlShape, String reviewLabel, String marker) {
        CheckSpec s = c.spec();
        StringBuilder b = new StringBuilder();
        b.append(mentions(s)).append("the check **").append(s.name()).append("** (`").append(s.slug()).append("`) is down.\n\n");
        b.append("- **Expected:** ").append(expected(s)).append("\n");
        b.append("- **What happened:** ").append(Cause.valueOf(t.cause()).text()).append(": ").append(t.detail()).append("\n");
        b.append("- **Since:** ").append(c.state().downSince() != null ? c.state().downSince() : t.at()).append("\n");
        b.append("- **Last ping:** ").append(c.state().lastPingAt() == null ? "never" : c.state().lastPingAt().toString()).append("\n\n");
        b.append(log(lastRun));
        b.append("The job pings `").append(pingUrlShape).append("` on success, `…/start` when it starts, `…/fail` or `…/<exit-status>` "
                + "when it ends (the key is in the checks file or the check's API record, never here).\n\n");
        b.append("Further failures are added here as comments, and a note says when the check recovers. Closing this ticket "
                + "needs a sign-off like any other: move it to **").append(reviewLabel).append("** and have a second person comment "
                + "`/signoff`.\n\n");
        b.append(marker);
        return b.toString();
    }

    /** A further failure, noted on the open ticket; {@code ticketPage}: its page on Countersign, linked as in every note. */
    public static String failureNote(StoredCheck c, ProbeStore.StoredTransition t, Optional<ProbeStore.StoredPing> lastRun,
                                     Optional<String> ticketPage, String marker) {
        return mentions(c.spec()) + "the check **" + c.spec().name() + "** failed again at " + t.at() + ": "
                + Cause.valueOf(t.cause()).text() + " (" + t.detail() + ").\n\n" + log(lastRun) + link(ticketPage) + marker;
    }

    /** The recovery, noted on the open ticket; {@code ticketPage}: its page on Countersign, linked as in every note. */
    public static String recoveryNote(StoredCheck c, ProbeStore.StoredTransition t, String reviewLabel,
                                      Optional<String> ticketPage, String marker) {
        Instant since = c.state().downSince();
        return "The check **" + c.spec().name() + "** is up again since " + t.at() + " (" + t.detail() + ")"
                + (since != null ? "" : "") + ".\n\nClosing this ticket still needs a sign-off: the review gate governs probe tickets "
                + "like any other — move it to **" + reviewLabel + "** and have a second person comment `/signoff` once the cause "
                + "is understood.\n\n" + link(ticketPage) + marker;
    }

    private static String link(Optional<String> ticketPage) {
        return ticketPage.map(url -> Wording.ticketLink(url) + "\n\n").orElse("");
    }

    private static String log(Optional<ProbeStore.StoredPing> lastRun) {
        if (lastRun.isEmpty() || lastRun.get().body() == null || lastRun.get().body().isBlank()) {
            return "";
        }
        String body = lastRun.get().body();
        String excerpt = body.length() > EXCERPT ? "…" + body.substring(body.length() - EXCERPT) : body;
        String fence = "```";
        while (excerpt.contains(fence)) {
            fence += "`";
        }
        ProbeStore.StoredPing p = lastRun.get();
        return "Log of the last run (" + p.kind() + (p.exitStatus() != null ? " " + p.exitStatus() : "") + " at " + p.receivedAt()
                + (p.durationMs() != null ? ", ran " + Durations.format(Duration.ofMillis(p.durationMs())) : "") + "):\n\n"
                + fence + "\n" + excerpt + "\n" + fence + "\n\n";
    }

    public static String mailSubject(StoredCheck c, ProbeAlerts.Event event) {
        return "[Countersign] " + (event == ProbeAlerts.Event.DOWN ? "Probe down: " : "Probe up: ") + c.spec().name();
    }

    public static String mailBody(StoredCheck c, ProbeStore.StoredTransition t, ProbeAlerts.Event event) {
        return "The check " + c.spec().name() + " (" + c.spec().slug() + ") is " + (event == ProbeAlerts.Event.DOWN ? "down" : "up again")
                + " since " + t.at() + ".\n\nWhat happened: " + Cause.valueOf(t.cause()).text() + ": " + t.detail()
                + "\nExpected: " + expected(c.spec()).replace("`", "") + "\n"
                + (event == ProbeAlerts.Event.DOWN ? "\nA ticket is open on the board; closing it needs a sign-off.\n" : "");
    }
}
