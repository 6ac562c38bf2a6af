package org.countersign.gitlab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import org.countersign.web.ProblemException;
import org.gitlab4j.api.utils.JacksonJson;
import org.gitlab4j.api.webhook.Event;
import org.gitlab4j.api.webhook.IssueEvent;
import org.gitlab4j.api.webhook.NoteEvent;

/**
 * Reads GitLab's Issue Hook and Note Hook payloads (and their Confidential variants) with GitLab4J's
 * typed events, keeping only what says which ticket to look at and who acted. Nothing else in the
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

    private final JacksonJson json = new JacksonJson();

    public WebhookParser() {
        // An event is one JSON value and nothing after it: trailing bytes (a NUL, which PostgreSQL
        // cannot store in the payload column, or a second document) make the body malformed.
        json.getObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public static boolean isHandled(String event) {
        return ISSUE_EVENTS.contains(event) || NOTE_EVENTS.contains(event);
    }

    /** Throws a 400 problem for a body that is not a well-formed event of the announced kind. */
    public Trigger parse(String eventName, byte[] body) {
        if (body.length == 0) {
            throw malformed("the body is empty");
        }
        Event event;
        try {
            event = json.unmarshal(Event.class, new String(body, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw malformed("the body is not a GitLab event (" + firstLine(e.getMessage()) + ")");
        }
        if (event == null) {
            throw malformed("the body is not a GitLab event");
        }
        if (ISSUE_EVENTS.contains(eventName)) {
            if (!(event instanceof IssueEvent issue)) {
                throw malformed("X-Gitlab-Event is '" + eventName + "' but object_kind is '" + event.getObjectKind() + "'");
            }
            if (issue.getObjectAttributes() == null || issue.getObjectAttributes().getIid() == null) {
                throw malformed("object_attributes.iid is missing");
            }
            Long project = issue.getProject() != null && issue.getProject().getId() != null ? issue.getProject().getId()
                    : issue.getObjectAttributes().getProjectId();
            if (project == null) {
                throw malformed("project.id is missing");
            }
            return new Trigger(project, issue.getObjectAttributes().getIid(), issue.getUser() == null ? null : issue.getUser().getId(), null);
        }
        if (!(event instanceof NoteEvent note)) {
            throw malformed("X-Gitlab-Event is '" + eventName + "' but object_kind is '" + event.getObjectKind() + "'");
        }
        if (note.getObjectAttributes() == null) {
            throw malformed("object_attributes is missing");
        }
        if (note.getObjectAttributes().getNoteableType() != NoteEvent.NoteableType.ISSUE) {
            return Trigger.ignored("the note is not on an issue");
        }
        if (note.getIssue() == null || note.getIssue().getIid() == null) {
            throw malformed("issue.iid is missing");
        }
        Long project = note.getProject() != null && note.getProject().getId() != null ? note.getProject().getId() : note.getProjectId();
        if (project == null) {
            throw malformed("project.id is missing");
        }
        return new Trigger(project, note.getIssue().getIid(), note.getUser() == null ? null : note.getUser().getId(), null);
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
