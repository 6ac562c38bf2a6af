package org.countersign.policy;

import java.util.Optional;
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
        return SignoffCommand.argument(body, LINE);
    }

    public static boolean isRequest(String body) {
        return parse(body).isPresent();
    }
}
