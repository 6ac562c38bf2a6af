package org.countersign.policy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one source of the sentences people read: GitLab notes, audit summaries, reasons on pages. The
 * policy decides with reason codes and facts ({@link Reason}); this class turns them into words.
 * Notes end with a hidden marker ({@link #marker}) so Countersign recognises its own notes.
 */
public final class Wording {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String MARKER_PREFIX = "<!-- countersign:";

    private Wording() {
    }

    public static String time(Instant at) {
        return TIME.format(at);
    }

    /** The hidden HTML comment that ends every note Countersign posts for action {@code key}. */
    public static String marker(String key) {
        return MARKER_PREFIX + key + " -->";
    }

    public static boolean hasMarker(String body, String key) {
        return body != null && body.contains(marker(key));
    }

    /** The body of a note as posted: the text, then the action's marker. */
    public static String noteBody(Action.Note note) {
        return note.body() + "\n\n" + marker(note.key());
    }

    /**
     * The body of a note as posted, with a link to the ticket's page on Countersign ({@code ticketPage},
     * built from COUNTERSIGN_PUBLIC_URL) when there is one: the text, the link, then the action's marker.
     */
    public static String noteBody(Action.Note note, Optional<String> ticketPage) {
        return ticketPage.map(url -> note.body() + "\n\n" + ticketLink(url) + "\n\n" + marker(note.key()))
                .orElseGet(() -> noteBody(note));
    }

    /**
     * The address of a ticket's page on Countersign, which every note Countersign posts links to:
     * {@code <COUNTERSIGN_PUBLIC_URL>/projects/<projectId>/tickets/<iid>}; empty when no (non-blank) public
     * URL is set.
     */
    public static Optional<String> ticketPage(Optional<String> publicUrl, long projectId, long iid) {
        return publicUrl.filter(u -> !u.isBlank()).map(u -> u.strip().replaceAll("/+$", "") + "/projects/" + projectId
                + "/tickets/" + iid);
    }

    /** The line in every note that leads to the ticket's page: the decision explained, its audit trail. */
    public static String ticketLink(String url) {
        return "[Why, and the audit trail, on Countersign](" + url + ")";
    }

    /** One line for logs and the audit summary: the verdict and its reasons. */
    public static String summary(Decision d) {
        return d.verdict() + ": " + d.reasons().stream().map(Wording::reason).collect(Collectors.joining(" "));
    }

    /** The audit summary of a sign-off the first time it is answered. */
    public static String signoffSummary(SignoffCheck c) {
        return c.accepted()
                ? "Sign-off by " + c.signer().mention() + " accepted (" + accessFact(c) + "): " + c.verified()
                : "Sign-off by " + c.signer().mention() + " refused: " + reason(c.reason());
    }

    /** A sentence for one reason. */
    public static String reason(Reason r) {
        if (r instanceof Reason.OutOfScope x) {
            return "The ticket never carried the label **" + x.scopeLabel() + "**, so the rule does not apply.";
        } else if (r instanceof Reason.TypeNotGoverned x) {
            return "It is a " + x.type() + "; the rule governs " + String.join(", ", x.governedTypes().stream().sorted().toList())
                    + " (COUNTERSIGN_GOVERNED_TYPES).";
        } else if (r instanceof Reason.Moved x) {
            return "The issue was moved (to issue id " + x.movedToId() + "); it is judged where it lives now.";
        } else if (r instanceof Reason.ClosedBeforeWatch x) {
            return "Closed before Countersign watched this project (" + time(x.watchedSince()) + "): left alone.";
        } else if (r instanceof Reason.WorkInProgress x) {
            return "Not in **" + x.reviewLabel() + "**: work in progress.";
        } else if (r instanceof Reason.InReview x) {
            return "In **" + x.reviewLabel() + "** since " + time(x.since()) + " with " + x.valid() + " of " + x.required()
                    + " required sign-offs.";
        } else if (r instanceof Reason.ClosedAfterReview x) {
            return "Closed" + x.closer().map(u -> " by " + u.mention()).orElse("") + " from **" + x.reviewLabel()
                    + "** with " + x.valid() + " of " + x.required() + " required sign-offs.";
        } else if (r instanceof Reason.AcceptedEarlier x) {
            return "Close " + x.closeRef() + " was accepted when it was judged; later changes (memberships, labels, edits)"
                    + " do not undo it.";
        } else if (r instanceof Reason.NotInReviewAtClose x) {
            return "It was not in the **" + x.reviewLabel() + "** column when it was closed.";
        } else if (r instanceof Reason.MissingSignoffs x) {
            StringBuilder m = new StringBuilder("It had ").append(x.valid()).append(" of the ")
                    .append(plural(x.required(), "required sign-off", "required sign-offs"))
                    .append(" from an eligible reviewer");
            x.reviewSince().ifPresent(t -> m.append(" since it entered **").append(x.reviewLabel()).append("** (")
                    .append(time(t)).append(")"));
            m.append('.');
            if (!x.implementers().isEmpty()) {
                m.append(" Not eligible, having worked on it: ").append(implementerList(x.implementers())).append('.');
            }
            return m.toString();
        } else if (r instanceof Reason.SignoffsVoided x) {
            return plural(x.count(), "earlier sign-off no longer counts", "earlier sign-offs no longer count")
                    + ": the ticket left **" + x.reviewLabel() + "** after it was given.";
        } else if (r instanceof Reason.SignerIsCountersign) {
            return "it was written with Countersign's own account, which enforces the rule and cannot review.";
        } else if (r instanceof Reason.SignerNotAPerson x) {
            return "it comes from " + accountName(x.account()) + "; a sign-off must come from a person.";
        } else if (r instanceof Reason.SignerIsImplementer x) {
            return "you are an implementer of this ticket (" + String.join(", ", x.roles())
                    + "). A sign-off must come from someone who did not do the work.";
        } else if (r instanceof Reason.SignerNotMember x) {
            return "you are not a member of this project. Sign-offs must come from project members with at least "
                    + AccessLevels.name(x.minAccessLevel()) + " access.";
        } else if (r instanceof Reason.SignerInactive) {
            return "your GitLab account is not active (blocked or deactivated).";
        } else if (r instanceof Reason.SignerAccessTooLow x) {
            return "your access level is " + AccessLevels.name(x.accessLevel()) + "; signing off needs at least "
                    + AccessLevels.name(x.minAccessLevel()) + ".";
        } else if (r instanceof Reason.SignoffEdited x) {
            return "the comment was edited after it was written (" + time(x.editedAt()) + "), and GitLab does not say who"
                    + " edited it. Please write a new `/signoff` comment.";
        } else if (r instanceof Reason.SignoffOutsideReview x) {
            return "the ticket was not in the **" + x.reviewLabel() + "** column" + (x.closed() ? " (it was closed)" : "")
                    + " when you wrote it. Sign-offs count only while the ticket waits in that column.";
        } else if (r instanceof Reason.EmergencyClose x) {
            return "Closed" + x.closer().map(u -> " by " + u.mention()).orElse("") + " under the emergency path requested by "
                    + x.requester().mention() + " (" + quoteInline(x.reason()) + "); retroactive review due by "
                    + time(x.due()) + ".";
        } else if (r instanceof Reason.EmergencyReviewed x) {
            return "Closed" + x.closer().map(u -> " by " + u.mention()).orElse("") + " under the emergency path requested by "
                    + x.requester().mention() + ", reviewed afterwards by "
                    + x.reviewers().stream().map(UserRef::mention).collect(Collectors.joining(", ")) + ".";
        } else if (r instanceof Reason.EmergencyReviewOverdue x) {
            return "Its retroactive review, due by " + time(x.due()) + " after an emergency close requested by "
                    + x.requester().mention() + ", did not come.";
        } else if (r instanceof Reason.EmergencyAccepted x) {
            return "emergency path requested: " + quoteInline(x.reason());
        } else if (r instanceof Reason.EmergencyWithoutReason) {
            return "`/emergency` without a reason does not count.";
        } else if (r instanceof Reason.EmergencyNotAllowed) {
            return "`/emergency` counts only from project members with at least Developer access.";
        } else if (r instanceof Reason.EmergencyOnClosedTicket) {
            return "`/emergency` counts only on an open ticket.";
        } else if (r instanceof Reason.EmergencyDisabled) {
            return "the emergency path is switched off.";
        } else if (r instanceof Reason.SignoffAccepted x) {
            return "an eligible reviewer (" + AccessLevels.name(x.accessLevel()) + ", not an implementer).";
        }
        throw new IllegalArgumentException("no wording for " + r);
    }

    static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    static String signoffAccepted(SignoffCheck check, int validSoFar, int required, String reviewLabel) {
        StringBuilder b = new StringBuilder();
        b.append("Sign-off by ").append(check.signer().mention()).append(" recorded (")
                .append(time(check.at())).append(").\n\n");
        if (check.verified().isEmpty()) {
            b.append("Verified: (nothing stated)\n\n");
        } else {
            b.append("Verified: ").append(quoteInline(check.verified())).append("\n\n");
        }
        b.append("Sign-offs: ").append(validSoFar).append(" of ").append(required).append(" required");
        if (validSoFar >= required) {
            b.append(" — this ticket may now be closed.");
        } else {
            b.append(" — still waiting for ").append(plural(required - validSoFar, "more reviewer", "more reviewers"))
                    .append(" while it stays in **").append(reviewLabel).append("**.");
        }
        return b.toString();
    }

    static String signoffRefused(SignoffCheck check) {
        return check.signer().mention() + " your sign-off of " + time(check.at()) + " does not count: " + reason(check.reason());
    }

    static String signoffEdited(SignoffCheck check) {
        return check.signer().mention() + " your sign-off of " + time(check.at()) + " no longer counts: "
                + reason(check.reason());
    }

    static String closeRejected(Optional<UserRef> closer, List<Reason> missing, boolean labelsRestored, PolicySettings s) {
        StringBuilder b = new StringBuilder();
        b.append(closer.map(u -> u.mention() + " this ticket").orElse("This ticket"))
                .append(" was closed without the required review, so Countersign reopened it");
        if (labelsRestored) {
            b.append(" and put its board label back");
        }
        b.append(".\n\nWhat is missing:\n");
        for (Reason r : missing) {
            b.append("- ").append(reason(r)).append('\n');
        }
        b.append("\nTo close it: move it to **").append(s.reviewLabel())
                .append("**, have a project member with at least ").append(AccessLevels.name(s.minAccessLevel()))
                .append(" access who did not work on it comment `/signoff <what you verified>`")
                .append(s.requiredSignoffs() > 1 ? " (" + s.requiredSignoffs() + " different reviewers)" : "")
                .append(", then close it.");
        return b.toString();
    }

    /**
     * The reminder a ticket waiting in review gets once per period: it mentions the people who may sign
     * it off (so GitLab notifies them), says since when it waits and what is still missing.
     */
    static String reminder(List<UserRef> reviewers, Instant since, Instant now, int valid, int required, PolicySettings s) {
        StringBuilder b = new StringBuilder();
        if (reviewers.isEmpty()) {
            b.append("This ticket");
        } else {
            b.append(reviewers.stream().map(UserRef::mention).collect(Collectors.joining(" "))).append(" this ticket");
        }
        b.append(" has been waiting in **").append(s.reviewLabel()).append("** since ").append(time(since)).append(" (")
                .append(waited(since, now)).append(") with ").append(valid).append(" of ")
                .append(plural(required, "required sign-off", "required sign-offs")).append(".\n\n");
        if (reviewers.isEmpty()) {
            b.append("Nobody in this project may sign it off: that needs a person with at least ")
                    .append(AccessLevels.name(s.minAccessLevel())).append(" access who did not work on it")
                    .append(valid > 0 ? " and whose sign-off does not count yet." : ".");
        } else {
            b.append("You may review it: you did not work on it and have at least ")
                    .append(AccessLevels.name(s.minAccessLevel())).append(" access. Verify the work, then comment ")
                    .append("`/signoff <what you verified>`.");
        }
        return b.toString();
    }

    /** "3 days", "26 hours", "45 minutes": how long something has waited, rounded down. */
    static String waited(Instant since, Instant now) {
        java.time.Duration d = java.time.Duration.between(since, now);
        if (d.toDays() >= 2) {
            return plural((int) d.toDays(), "day", "days");
        }
        if (d.toHours() >= 1) {
            return plural((int) d.toHours(), "hour", "hours");
        }
        return plural((int) Math.max(0, d.toMinutes()), "minute", "minutes");
    }

    private static String accessFact(SignoffCheck c) {
        return c.accessLevel().map(AccessLevels::name).orElse("no access") + " at " + time(c.at());
    }

    private static String accountName(SignerFacts.Account account) {
        return switch (account) {
            case BOT -> "a bot account (an access token's user)";
            case SERVICE_ACCOUNT -> "a service account";
            case GHOST -> "GitLab's ghost user (a deleted account)";
            case PERSON -> "a person";
        };
    }

    static String implementerList(List<Implementer> implementers) {
        return implementers.stream().map(r -> r.user().mention() + " (" + String.join(", ", r.roles()) + ")")
                .collect(Collectors.joining(", "));
    }

    private static String quoteInline(String text) {
        String oneLine = text.replaceAll("\\s*\\R\\s*", " / ").strip();
        if (oneLine.length() > 500) {
            oneLine = oneLine.substring(0, 500) + "…";
        }
        return "“" + oneLine + "”";
    }

    /** The answer to an {@code /emergency} comment: accepted (the next close stands) or why not. */
    static String emergencyAnswer(EmergencyRequest e, PolicySettings s) {
        String who = e.by().mention();
        Reason r = e.verdict();
        if (r instanceof Reason.EmergencyAccepted) {
            return who + " emergency path noted (" + time(e.at()) + "): the next close of this ticket stands without review."
                    + " It will then carry **" + s.emergencyLabel() + "** until an eligible reviewer comments `/signoff`"
                    + " on it, which is due within " + duration(s.emergencyDeadline()) + " of the close.";
        } else if (r instanceof Reason.EmergencyWithoutReason) {
            return who + " `/emergency` needs a reason, e.g. `/emergency production is down, the fix cannot wait for a review`."
                    + " Nothing changed: a close still needs the usual review.";
        } else if (r instanceof Reason.EmergencyNotAllowed x) {
            return who + " your `/emergency` does not count: the emergency path is for project members with at least"
                    + " Developer access" + x.accessLevel().map(l -> " (yours is " + AccessLevels.name(l) + ")").orElse(
                    " (you are not a member of this project)") + ".";
        } else if (r instanceof Reason.EmergencyOnClosedTicket) {
            return who + " `/emergency` counts only on an open ticket, before it is closed.";
        } else if (r instanceof Reason.EmergencyDisabled) {
            return who + " the emergency path is switched off for this project: a close still needs the usual review.";
        }
        throw new IllegalArgumentException("no wording for " + r);
    }

    /** The note on an emergency close: it stands, carries the label, and a review is due. */
    static String emergencyClose(Reason.EmergencyClose e, PolicySettings s) {
        return e.closer().map(u -> u.mention() + " this ticket").orElse("This ticket") + " was closed under the emergency path"
                + " requested by " + e.requester().mention() + " (" + quoteInline(e.reason()) + "), so the close stands and the"
                + " ticket carries **" + e.label() + "**.\n\nA retroactive review is due by **" + time(e.due()) + "**: a"
                + " project member with at least " + AccessLevels.name(s.minAccessLevel()) + " access who did not work on it"
                + " comments `/signoff <what you verified>` here. Without one by then, Countersign reopens the ticket into **"
                + s.reviewLabel() + "**.";
    }

    /** The note settling an emergency close: the retroactive review is confirmed, the label removed. */
    static String emergencyReviewed(Reason.EmergencyReviewed r, List<SignoffCheck> checks, java.util.Set<Long> retro,
                                    PolicySettings s) {
        StringBuilder b = new StringBuilder("Retroactive review of this emergency close recorded: ");
        b.append(r.reviewers().stream().map(UserRef::mention).collect(Collectors.joining(", ")))
                .append(" signed off. **").append(s.emergencyLabel()).append("** removed; the close stands.");
        for (SignoffCheck c : checks) {
            if (retro.contains(c.noteId()) && !c.internal()) {
                b.append("\n\n").append(c.signer().mention()).append(" (").append(time(c.at())).append("), verified: ")
                        .append(c.verified().isEmpty() ? "(nothing stated)" : quoteInline(c.verified()));
            }
        }
        return b.toString();
    }

    /** Why an emergency close was reopened: its retroactive review did not come in time. */
    static String emergencyOverdue(Optional<UserRef> closer, Reason.EmergencyReviewOverdue o, PolicySettings s) {
        return closer.map(u -> u.mention() + " this ticket").orElse("This ticket") + " was closed under the emergency path"
                + " (requested by " + o.requester().mention() + "), and its retroactive review was due by " + time(o.due())
                + " without an eligible `/signoff`, so Countersign reopened it into **" + o.reviewLabel() + "**.\n\nTo close"
                + " it: have a project member with at least " + AccessLevels.name(s.minAccessLevel()) + " access who did not"
                + " work on it comment `/signoff <what you verified>`, then close it.";
    }

    static String duration(java.time.Duration d) {
        if (d.toMinutes() % (24 * 60) == 0 && d.toDays() > 0) {
            return plural((int) d.toDays(), "day", "days");
        } else if (d.toMinutes() % 60 == 0 && d.toHours() > 0) {
            return plural((int) d.toHours(), "hour", "hours");
        }
        return plural((int) Math.max(1, d.toMinutes()), "minute", "minutes");
    }

    /** Shadow mode's note on a close: what enforcing would have done, and why. */
    static String shadowClose(Decision d, boolean labelsWouldBeRestored, PolicySettings s) {
        StringBuilder b = new StringBuilder("Countersign watches this project in **shadow mode**: it changes nothing yet.\n\n");
        if (d.verdict() == Verdict.CLOSE_REJECTED) {
            b.append(d.closedBy().map(u -> u.mention() + " this ticket").orElse("This ticket"))
                    .append(" was closed without the required review. Enforcing, Countersign would have reopened it");
            if (labelsWouldBeRestored) {
                b.append(" and put its board label back");
            }
            b.append(".\n\nWhat is missing:\n");
            for (Reason r : d.reasons()) {
                b.append("- ").append(reason(r)).append('\n');
            }
            b.append("\nOnce Countersign enforces, to close a ticket: move it to **").append(s.reviewLabel())
                    .append("**, have a project member with at least ").append(AccessLevels.name(s.minAccessLevel()))
                    .append(" access who did not work on it comment `/signoff <what you verified>`")
                    .append(s.requiredSignoffs() > 1 ? " (" + s.requiredSignoffs() + " different reviewers)" : "")
                    .append(", then close it.");
        } else {
            b.append("Enforcing, Countersign would have let this close stand: ")
                    .append(d.reasons().stream().map(Wording::reason).collect(Collectors.joining(" ")));
        }
        return b.toString();
    }
}
