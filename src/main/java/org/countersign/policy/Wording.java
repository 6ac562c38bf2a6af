package org.countersign.policy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one source of the sentences people read: GitLab notes, audit entries and pages all use it.
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

    static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    static String roles(List<String> roles) {
        return String.join(", ", roles);
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
        return check.signer().mention() + " your sign-off of " + time(check.at()) + " does not count: "
                + check.reason().message();
    }

    static String closeRejected(UserRef closer, List<Reason> missing, boolean labelsRestored, PolicySettings s) {
        StringBuilder b = new StringBuilder();
        b.append(closer.mention()).append(" this ticket was closed without the required review, so Countersign reopened it");
        if (labelsRestored) {
            b.append(" and put its board label back");
        }
        b.append(".\n\nWhat is missing:\n");
        for (Reason r : missing) {
            b.append("- ").append(r.message()).append('\n');
        }
        b.append("\nTo close it: move it to **").append(s.reviewLabel())
                .append("**, have a project member with at least ").append(AccessLevels.name(s.minAccessLevel()))
                .append(" access who did not work on it comment `/signoff <what you verified>`")
                .append(s.requiredSignoffs() > 1 ? " (" + s.requiredSignoffs() + " different reviewers)" : "")
                .append(", then close it.");
        return b.toString();
    }

    static String implementerList(List<Implementers.Role> roles) {
        return roles.stream().map(r -> r.user().mention() + " (" + roles(r.roles()) + ")").collect(Collectors.joining(", "));
    }

    private static String quoteInline(String text) {
        String oneLine = text.replaceAll("\\s*\\R\\s*", " / ").strip();
        if (oneLine.length() > 500) {
            oneLine = oneLine.substring(0, 500) + "…";
        }
        return "“" + oneLine + "”";
    }
}
