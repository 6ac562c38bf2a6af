package org.countersign.gitlab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import org.countersign.web.ProblemException;

/**
 * Reads GitLab's Issue Hook and Note Hook payloads (and their Confidential variants), keeping only
 * what says which ticket to look at and who acted. Nothing else in the
 * payload is trusted: the decision reads GitLab's API.
 */
@ApplicationScoped
public class WebhookParser {

    private static final Set<String> ISSUE_EVENTS = Set.of("Issue Hook", "Confidential Issue Hook");
    private static final Set<String> NOTE_EVENTS = Set.of("Note Hook", "Confidential Note Hook");

    /** Which ticket a delivery is about; {@code ignoredBecause} set when it is about no issue. */
    public record Trigger(Long projectId, Long issueIid, Long actorId, String ignoredBecause) {
        static Trigger ignored(String why) {
            return new Trigger(null, null, null, why);
        }
    }

    /**
     * A plain Jackson mapper, not GitLab4J's typed events: binding the whole payload (dates, nested
     * objects, reflection) cost most of the intake's CPU, and only four fields are read. The body is
     * still parsed whole, so anything that is not one well-formed JSON document is rejected.
     */
    private final ObjectMapper json = new ObjectMapper()
            // An event is one JSON value and nothing after it: trailing bytes (a NUL, which PostgreSQL
            // cannot store in the payload column, or a second document) make the body malformed.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static boolean isHandled(String event) {
        return ISSUE_EVENTS.contains(event) || NOTE_EVENTS.contains(event);
    }

    /** Throws a 400 problem for a body that is not a well-formed event of the announced kind. */
    public Trigger parse(String eventName, byte[] body) {
        if (body.length == 0) {
            throw malformed("the body is empty");
        }
        JsonNode event;
        try {
            event = json.readTree(body);
        } catch (Exception e) {
            throw malformed("the body is not a GitLab event (" + firstLine(e.getMessage()) + ")");
        }
        if (event == null || !event.isObject()) {
            throw malformed("the body is not a GitLab event (not a JSON object)");
        }
        JsonNode kindNode = event.get("object_kind");
        if (kindNode == null || !kindNode.isTextual()) {
            throw malformed("object_kind is missing");
        }
        String kind = kindNode.textValue();
        JsonNode attributes = event.get("object_attributes");
        if (ISSUE_EVENTS.contains(eventName)) {
            if (!kind.equals("issue")) {
                throw malformed("X-Gitlab-Event is '" + eventName + "' but object_kind is '" + abbreviate(kind) + "'");
            }
            Long iid = attributes == null || !attributes.isObject() ? null : id(attributes, "iid");
            if (iid == null) {
                throw malformed("object_attributes.iid is missing");
            }
            Long project = firstId(event.get("project"), "id", attributes, "project_id");
            if (project == null) {
                throw malformed("project.id is missing");
            }
            return new Trigger(project, iid, firstId(event.get("user"), "id", null, null), null);
        }
        if (!kind.equals("note")) {
            throw malformed("X-Gitlab-Event is '" + eventName + "' but object_kind is '" + abbreviate(kind) + "'");
        }
        if (attributes == null || !attributes.isObject()) {
            throw malformed("object_attributes is missing");
        }
        JsonNode noteable = attributes.get("noteable_type");
        if (noteable != null && !noteable.isNull() && !noteable.isTextual()) {
            throw malformed("object_attributes.noteable_type is not a string");
        }
        if (noteable == null || !"Issue".equals(noteable.textValue())) {
            return Trigger.ignored("the note is not on an issue");
        }
        JsonNode issue = event.get("issue");
        Long iid = issue == null || !issue.isObject() ? null : id(issue, "iid");
        if (iid == null) {
            throw malformed("issue.iid is missing");
        }
        Long project = firstId(event.get("project"), "id", event, "project_id");
        if (project == null) {
            throw malformed("project.id is missing");
        }
        return new Trigger(project, iid, firstId(event.get("user"), "id", null, null), null);
    }

    /** {@code first.firstField}, else {@code second.secondField}; null when neither holds an id. */
    private static Long firstId(JsonNode first, String firstField, JsonNode second, String secondField) {
        Long id = first != null && first.isObject() ? id(first, firstField) : null;
        if (id == null && second != null && second.isObject()) {
            id = id(second, secondField);
        }
        return id;
    }

    /**
     * An id field: an integral JSON number or a string of digits (as GitLab4J's binding accepted);
     * null when absent or JSON null; a 400 for anything else, such as {@code "iid": true} or {@code 2.5}.
     */
    private static Long id(JsonNode object, String field) {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isTextual() && v.textValue().matches("-?\\d{1,18}")) {
            return Long.parseLong(v.textValue());
        }
        throw malformed(field + " is not an id");
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /**
     * The key that makes a repeated delivery act once: GitLab's {@code Idempotency-Key} (stable across
     * retries and resends), else the event UUID with the body's hash, else the body's hash alone.
     */
    static String dedupeKey(String idempotencyKey, String eventUuid, String eventName, byte[] body) {
        if (idempotencyKey != null && !idempotencyKey.isBlank()) {
            return "idem:" + idempotencyKey.strip();
        }
        String hash = HexFormat.of().formatHex(sha256(body));
        if (eventUuid != null && !eventUuid.isBlank()) {
            return "uuid:" + eventUuid.strip() + ":" + hash;
        }
        return "body:" + eventName + ":" + hash;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProblemException malformed(String detail) {
        return new ProblemException(400, "Malformed webhook", "Cannot read this delivery: " + detail + ".");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable JSON";
        }
        String line = s.lines().findFirst().orElse(s);
        // Jackson messages may quote class names; keep them out of responses
        line = line.replaceAll("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*", "type");
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
    }
}
