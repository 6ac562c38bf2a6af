package org.countersign.policy;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises an emergency request: a comment with a line that starts with {@code /emergency}
 * (case-insensitive, leading spaces allowed), read as {@link SignoffCommand} reads {@code /signoff}: the
 * text after it on that line is the reason, or the following lines when that is empty; lines in fenced
 * code blocks and quoted lines are ignored. {@code /emergency-later} is not a request.
 */
public final class EmergencyCommand {

    private static final Pattern LINE = Pattern.compile("^\\s*/emergency(?:[ \\t]+(.*))?\\s*$", Pattern.CASE_INSENSITIVE);

    private EmergencyCommand() {
    }

    /** The reason given, if the body is an emergency request (possibly the empty string); empty otherwise. */
    public static Optional<String> parse(String body) {
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
            Matcher m = LINE.matcher(lines[i]);
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

    public static boolean isRequest(String body) {
        return parse(body).isPresent();
    }
}
