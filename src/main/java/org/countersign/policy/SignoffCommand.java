package org.countersign.policy;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a sign-off: a comment with a line that starts with {@code /signoff} (case-insensitive,
 * leading spaces allowed). The text after it on that line is what was verified; when that is empty,
 * the comment's following lines are. {@code /signoffs} or {@code /signoff-later} are not sign-offs.
 * Lines inside fenced code blocks ({@code ```}) and quoted lines ({@code >}) are ignored, so quoting
 * someone else's sign-off is not a sign-off.
 */
public final class SignoffCommand {

    private static final Pattern LINE = Pattern.compile("^\\s*/signoff(?:[ \\t]+(.*))?\\s*$", Pattern.CASE_INSENSITIVE);

    private SignoffCommand() {
    }

    /** What was verified, if the body is a sign-off (possibly the empty string); empty otherwise. */
    public static Optional<String> parse(String body) {
        return argument(body, LINE);
    }

    /**
     * The argument of the first line of {@code body} that {@code line} matches (its group 1), or the
     * following lines when that is empty; lines in fenced code blocks and quoted lines are skipped. Empty
     * when no line matches. Shared by the slash commands ({@code /signoff}, {@code /emergency}).
     */
    static Optional<String> argument(String body, Pattern line) {
        if (body == null || body.isEmpty()) {
            return Optional.empty();
        }
        String[] lines = body.split("\\R", -1);
        boolean inFence = false;
        for (int i = 0; i < lines.length; i++) {
            String trimmed = lines[i].strip();
            if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                inFence = !inFence;
                continue;
            }
            if (inFence || trimmed.startsWith(">")) {
                continue;
            }
            Matcher m = line.matcher(lines[i]);
            if (m.matches()) {
                String rest = m.group(1) == null ? "" : m.group(1).strip();
                if (rest.isEmpty()) {
                    StringBuilder following = new StringBuilder();
                    for (int j = i + 1; j < lines.length; j++) {
                        following.append(lines[j]).append('\n');
                    }
                    rest = following.toString().strip();
                }
                return Optional.of(rest);
            }
        }
        return Optional.empty();
    }

    public static boolean isSignoff(String body) {
        return parse(body).isPresent();
    }
}
