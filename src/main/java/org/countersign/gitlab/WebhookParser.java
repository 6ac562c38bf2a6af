package org.countersign.gitlab;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.countersign.config.ConfigValidation;
import org.countersign.workflow.GovernedTypes;
import org.countersign.web.ProblemException;

/**
 * Reads GitLab's Issue Hook and Note Hook payloads (and their Confidential variants), keeping only
 * what says which ticket to look at and who acted. Nothing else in the payload is trusted: the
 * decision reads GitLab's API.
 *
 * <p>GitLab disables a webhook after four failed deliveries in a row, and a 4xx is a failure. So once
 * the token is right, a delivery Countersign does not act on is <em>ignored</em> (the caller answers
 * 2xx), whatever its shape: another work item type (tasks, epics… arrive under {@code Issue Hook} with
 * {@code object_kind: "work_item"}, {@code object_attributes.type} naming the type), a kind of event
 * the header does not announce, or fields missing or of an unexpected type (<em>unreadable</em>: logged
 * as a warning, since it may mean GitLab changed its payloads). Only a body that is no GitLab event at
 * all — not one JSON object with a string {@code object_kind} — is refused with a 400.
 */
@ApplicationScoped
public class WebhookParser {

    private static final Set<String> ISSUE_EVENTS = Set.of("Issue Hook", "Confidential Issue Hook");
    private static final Set<String> NOTE_EVENTS = Set.of("Note Hook", "Confidential Note Hook");
    /** {@code object_kind} of an Issue Hook: issues (and Service Desk issues), and every other work item type. */
    private static final Set<String> ISSUE_KINDS = Set.of("issue", "work_item");

    /**
     * Which ticket a delivery is about. When {@code ignoredBecause} is set, Countersign does not act on
     * it; {@code unreadable} then says it is so because of its shape, not its content.
     *
     * @param actorId whose own change the delivery reports (Countersign skips its own reopens and notes);
     *                null for a close: Countersign never closes, so a close made with its account (a shared
     *                token, a "Closes #12" commit GitLab attributes to it) is judged like any other
     * @param closes  the delivery reports a close: acted on at once, not after the coalescing window
     */
    public record Trigger(Long projectId, Long issueIid, Long actorId, String ignoredBecause, boolean unreadable,
                          boolean closes) {
        static Trigger about(Long projectId, Long issueIid, Long actorId) {
            return new Trigger(projectId, issueIid, actorId, null, false, false);
        }

        static Trigger close(Long projectId, Long issueIid) {
            return new Trigger(projectId, issueIid, null, null, false, true);
        }

        static Trigger ignored(String why) {
            return new Trigger(null, null, null, why, false, false);
        }

        static Trigger unreadable(String why) {
            return new Trigger(null, null, null, why, true, false);
        }

        public boolean ignored() {
            return ignoredBecause != null;
        }
    }

    /** A field of an authentic event that cannot be read: the delivery is ignored, not refused. */
    private static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A plain Jackson mapper, not GitLab4J's typed events: binding the whole payload (dates, nested
     * objects, reflection) cost most of the intake's CPU, and only a few fields are read. The body is
     * still parsed whole, so anything that is not one well-formed JSON document is rejected.
     */
    private final ObjectMapper json = new ObjectMapper()
            // An event is one JSON value and nothing after it: trailing bytes (a NUL, which PostgreSQL
            // cannot store in the payload column, or a second document) make the body malformed.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Reads the values kept by {@link #readEvent}: a mapper without the trailing-tokens check, which
     * would look past a nested value (the whole body is checked by {@link #readEvent} itself).
     */
    private final ObjectMapper values = new ObjectMapper();

    /**
     * The only fields read (see {@link #issueEvent}, {@link #noteEvent}): of the event, and of its
     * objects. Everything else is skipped by the tokenizer — still checked to be well-formed JSON, but
     * never turned into nodes: a documented Issue Hook is some 3 kB, mostly the issue's attributes,
     * labels and changes, and building its whole tree was the largest item of the intake's CPU after
     * the typed events were dropped.
     */
    private static final Set<String> EVENT_FIELDS = Set.of("object_kind", "object_attributes", "project", "user", "issue",
            "project_id");
    private static final Map<String, Set<String>> OBJECT_FIELDS = Map.of(
            "object_attributes", Set.of("iid", "project_id", "type", "action", "noteable_type"),
            "project", Set.of("id"),
            "user", Set.of("id"),
            "issue", Set.of("iid", "type"));

    /** The work item types governed in a project, answered from memory (asked for every delivery). */
    public interface TypesInForce {
        /** Type keys (see {@link ConfigValidation#typeKey}) governed in the project; the environment's for null. */
        Set<String> of(Long projectId);

        /** Whether they come from the project's {@code .countersign.yml} rather than the environment. */
        boolean fromFile(Long projectId);
    }

    private final TypesInForce governedTypes;

    /** The environment's types, or a project's {@code .countersign.yml}'s {@code governed-types} in force. */
    @Inject
    public WebhookParser(GovernedTypes governedTypes) {
        this(new TypesInForce() {
            @Override
            public Set<String> of(Long projectId) {
                return governedTypes.of(projectId);
            }

            @Override
            public boolean fromFile(Long projectId) {
                return governedTypes.fromFile(projectId);
            }
        });
    }

    /** @param governedTypes type keys (see {@link ConfigValidation#typeKey}) governed in every project */
    public WebhookParser(Set<String> governedTypes) {
        this(constant(Set.copyOf(governedTypes)));
    }

    public WebhookParser(TypesInForce governedTypes) {
        this.governedTypes = governedTypes;
    }

    private static TypesInForce constant(Set<String> types) {
        return new TypesInForce() {
            @Override
            public Set<String> of(Long projectId) {
                return types;
            }

            @Override
            public boolean fromFile(Long projectId) {
                return false;
            }
        };
    }

    public static boolean isHandled(String event) {
        return ISSUE_EVENTS.contains(event) || NOTE_EVENTS.contains(event);
    }

    /**
     * Reads a delivery of a {@link #isHandled handled} event. Throws a 400 problem only for a body that
     * is not a GitLab event at all; anything else gives a trigger, possibly an ignored one.
     */
    public Trigger parse(String eventName, byte[] body) {
        if (body.length == 0) {
            throw malformed("the body is empty");
        }
        JsonNode event;
        try {
            event = readEvent(body);
        } catch (Exception e) {
            throw malformed("the body is not a GitLab event (" + firstLine(e.getMessage()) + ")");
        }
        if (event == null || !event.isObject()) {
            throw malformed("the body is not a GitLab event (not a JSON object)");
        }
        JsonNode kindNode = event.get("object_kind");
        if (kindNode == null || !kindNode.isTextual()) {
            throw malformed("the body is not a GitLab event (no object_kind)");
        }
        String kind = kindNode.textValue();
        try {
            return ISSUE_EVENTS.contains(eventName) ? issueEvent(eventName, kind, event) : noteEvent(eventName, kind, event);
        } catch (Unreadable e) {
            return Trigger.unreadable(e.getMessage());
        }
    }

    /**
     * The event as a tree of only the fields that are read ({@link #EVENT_FIELDS}, {@link #OBJECT_FIELDS}),
     * the rest of the body tokenized and skipped: the same nodes as {@code json.readTree(body)} for those
     * fields (a repeated key: the last one), the same failures for a body that is not one JSON document.
     * A body that is not an object is read whole, as before.
     */
    private JsonNode readEvent(byte[] body) throws IOException {
        try (JsonParser p = values.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return json.readTree(body);
            }
            ObjectNode event = readObject(p, EVENT_FIELDS, true);
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new IOException("Trailing token (of type " + trailing + ") found after value");
            }
            return event;
        }
    }

    /** Reads the object the parser is at, keeping the {@code wanted} fields; at the end of the object. */
    private ObjectNode readObject(JsonParser p, Set<String> wanted, boolean event) throws IOException {
        ObjectNode node = values.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (!wanted.contains(name)) {
                p.skipChildren();
                continue;
            }
            Set<String> inner = event ? OBJECT_FIELDS.get(name) : null;
            if (inner != null && value == JsonToken.START_OBJECT) {
                node.set(name, readObject(p, inner, false));
            } else {
                JsonNode v = values.readTree(p);
                node.set(name, v == null ? NullNode.getInstance() : v);
            }
        }
        return node;
    }

    /** An Issue Hook: an issue, or another type of work item ({@code object_kind} {@code work_item}). */
    private Trigger issueEvent(String eventName, String kind, JsonNode event) {
        if (!ISSUE_KINDS.contains(kind)) {
            return Trigger.ignored("object_kind '" + abbreviate(kind) + "' under " + eventName + " is not an issue or work item");
        }
        JsonNode attributes = object(event, "object_attributes");
        String ungoverned = ungoverned(attributes.get("type"), "object_attributes.type",
                projectIfReadable(event.get("project"), "id", attributes, "project_id"));
        if (ungoverned != null) {
            return Trigger.ignored(ungoverned);
        }
        Long iid = id(attributes, "iid");
        if (iid == null) {
            throw new Unreadable("object_attributes.iid is missing");
        }
        Long project = firstId(event.get("project"), "id", attributes, "project_id");
        if (project == null) {
            if (event.has("project") && event.get("project").isNull()) {
                // GitLab sends "project": null for a work item of a group (an epic): no project to watch
                return Trigger.ignored("the work item belongs to a group, not to a project");
            }
            throw new Unreadable("project.id is missing");
        }
        JsonNode action = attributes.get("action");
        if (action != null && "close".equals(action.asText())) {
            return Trigger.close(project, iid);
        }
        return Trigger.about(project, iid, actor(event));
    }

    /** A Note Hook: only comments on issues (of a governed type) matter. */
    private Trigger noteEvent(String eventName, String kind, JsonNode event) {
        if (!kind.equals("note")) {
            return Trigger.ignored("object_kind '" + abbreviate(kind) + "' under " + eventName + " is not a note");
        }
        JsonNode attributes = object(event, "object_attributes");
        JsonNode noteable = attributes.get("noteable_type");
        if (noteable != null && !noteable.isNull() && !noteable.isTextual()) {
            throw new Unreadable("object_attributes.noteable_type is not a string");
        }
        if (noteable == null || !"Issue".equals(noteable.textValue())) {
            return Trigger.ignored("the note is not on an issue");
        }
        // A work item's notes are an issue's notes (noteable_type Issue); the issue object names its type.
        JsonNode issue = object(event, "issue");
        String ungoverned = ungoverned(issue.get("type"), "issue.type", projectIfReadable(event.get("project"), "id", event,
                "project_id"));
        if (ungoverned != null) {
            return Trigger.ignored(ungoverned);
        }
        Long iid = id(issue, "iid");
        if (iid == null) {
            throw new Unreadable("issue.iid is missing");
        }
        Long project = firstId(event.get("project"), "id", event, "project_id");
        if (project == null) {
            throw new Unreadable("project.id is missing");
        }
        return Trigger.about(project, iid, actor(event));
    }

    /**
     * Why a work item of this type is not acted on; null when it is governed in {@code project} (the
     * environment's types when the project is not known yet), or when the payload does not say its type
     * (GitLab before 17.2): the evaluation reads the type from GitLab's API.
     */
    private String ungoverned(JsonNode type, String field, Long project) {
        if (type == null || type.isNull()) {
            return null;
        }
        if (!type.isTextual()) {
            throw new Unreadable(field + " is not a string");
        }
        String name = type.textValue();
        if (governedTypes.of(project).contains(ConfigValidation.typeKey(name))) {
            return null;
        }
        return "a work item of type '" + abbreviate(name) + "' is not governed (" + (governedTypes.fromFile(project)
                ? "governed-types of the project's .countersign.yml" : "COUNTERSIGN_GOVERNED_TYPES") + ")";
    }

    /** The project id where {@link #firstId} finds one; null when it is missing or unreadable (judged later). */
    private static Long projectIfReadable(JsonNode first, String firstField, JsonNode second, String secondField) {
        try {
            return firstId(first, firstField, second, secondField);
        } catch (Unreadable e) {
            return null;
        }
    }

    private static JsonNode object(JsonNode holder, String field) {
        JsonNode v = holder.get(field);
        if (v == null || !v.isObject()) {
            throw new Unreadable(field + " is " + (v == null || v.isNull() ? "missing" : "not an object"));
        }
        return v;
    }

    /** Who acted: {@code user.id}; null when absent or unreadable (it only helps to skip Countersign's own events). */
    private static Long actor(JsonNode event) {
        try {
            return firstId(event.get("user"), "id", null, null);
        } catch (Unreadable e) {
            return null;
        }
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
     * An id field: an integral JSON number or a string of digits (as GitLab4J's binding accepted); null
     * when absent or JSON null; unreadable for anything else, such as {@code "iid": true} or {@code 2.5}.
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
        throw new Unreadable(field + " is not an id");
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[\\p{Cntrl}]", "?");
        return printable.length() > 60 ? printable.substring(0, 60) + "…" : printable;
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
