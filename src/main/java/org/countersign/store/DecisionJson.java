package org.countersign.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.countersign.policy.Action;
import org.countersign.policy.Decision;
import org.countersign.policy.Implementer;
import org.countersign.policy.Reason;
import org.countersign.policy.SignoffCheck;
import org.countersign.policy.Wording;

/**
 * Maps the core's decisions and actions to the JSON kept in the database (audit details, ticket
 * rows, queued actions) and back. The JSON is the stored contract: field names here are stable.
 */
@ApplicationScoped
public class DecisionJson {

    private final ObjectMapper mapper;

    public DecisionJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public String decision(Decision d) {
        ObjectNode n = mapper.createObjectNode();
        n.put("projectId", d.projectId());
        n.put("iid", d.iid());
        n.put("verdict", d.verdict().name());
        ArrayNode reasons = n.putArray("reasons");
        for (Reason r : d.reasons()) {
            reasons.add(reasonNode(r));
        }
        ArrayNode signoffs = n.putArray("signoffs");
        for (SignoffCheck c : d.signoffs()) {
            ObjectNode s = signoffs.addObject().put("noteId", c.noteId()).put("signer", c.signer().username())
                    .put("signerId", c.signer().id()).put("at", c.at().toString()).put("verified", c.verified())
                    .put("accepted", c.accepted()).put("counts", c.counts()).put("internal", c.internal())
                    .put("reason", c.reason().code().name()).put("message", Wording.reason(c.reason()));
            c.accessLevel().ifPresentOrElse(l -> s.put("accessLevel", l), () -> s.putNull("accessLevel"));
        }
        ArrayNode actions = n.putArray("actions");
        d.actions().forEach(a -> actions.add(actionNode(a)));
        d.reviewSince().ifPresent(t -> n.put("reviewSince", t.toString()));
        d.reviewBy().ifPresent(u -> n.put("reviewBy", u.username()).put("reviewById", u.id()));
        d.closeRef().ifPresent(r -> n.put("closeRef", r));
        d.closedBy().ifPresent(u -> n.put("closedBy", u.username()));
        ArrayNode implementers = n.putArray("implementers");
        for (Implementer i : d.implementers()) {
            ArrayNode roles = implementers.addObject().put("username", i.user().username()).put("id", i.user().id())
                    .putArray("roles");
            i.roles().forEach(roles::add);
        }
        n.put("validSignoffs", d.validSignoffs());
        n.put("requiredSignoffs", d.requiredSignoffs());
        return write(n);
    }

    /** A reason as stored: its code, the sentence people read, and the facts it rests on. */
    private ObjectNode reasonNode(Reason r) {
        ObjectNode node = mapper.createObjectNode().put("code", r.code().name()).put("message", Wording.reason(r));
        node.set("facts", mapper.valueToTree(r));
        return node;
    }

    public static String kind(Action a) {
        if (a instanceof Action.ChangeLabels) {
            return "LABELS";
        }
        return a instanceof Action.Reopen ? "REOPEN" : "POST_NOTE";
    }

    public String action(Action a) {
        return write(actionNode(a));
    }

    /**
     * The action as queued by a decision made on the issue version {@code decidedOn} (its
     * {@code updated_at}): the executor compares it with GitLab's current one to know whether anything
     * happened since.
     */
    public String action(Action a, Instant decidedOn) {
        return write(actionNode(a).put("decidedOn", decidedOn.toString()));
    }

    /** The issue version the queued action was decided on, if recorded. */
    public Optional<Instant> decidedOn(String json) {
        JsonNode n = read(json).path("decidedOn");
        return n.isTextual() ? Optional.of(Instant.parse(n.asText())) : Optional.empty();
    }

    /** Reads back an action stored by {@link #action}. */
    public Action action(String kind, String json) {
        JsonNode n = read(json);
        return switch (kind) {
            case "REOPEN" -> new Action.Reopen(n.path("closeRef").asText(), texts(n.path("labels")));
            case "POST_NOTE" -> note(n);
            case "LABELS" -> new Action.ChangeLabels(n.path("key").asText(), texts(n.path("add")), texts(n.path("remove")));
            default -> throw new IllegalArgumentException("unknown action kind " + kind);
        };
    }

    private static Action.Note note(JsonNode n) {
        String body = n.path("body").asText();
        boolean internal = n.path("internal").asBoolean(false);
        return switch (n.path("note").asText()) {
            case "close-rejected" -> new Action.ExplainRejectedClose(n.path("closeRef").asText(), body);
            case "signoff-reply" -> new Action.AnswerSignoff(n.path("noteId").asLong(), n.path("accepted").asBoolean(),
                    body, internal);
            case "signoff-edited" -> new Action.SignoffEdited(n.path("noteId").asLong(), body, internal);
            case "reminder" -> new Action.RemindReviewers(Instant.parse(n.path("reviewSince").asText()),
                    n.path("period").asLong(), texts(n.path("reviewers")), body);
            case "shadow-close" -> new Action.ShadowClose(n.path("closeRef").asText(), body);
            case "emergency" -> new Action.EmergencyNote(n.path("key").asText(), body, internal);
            default -> throw new IllegalArgumentException("unknown note " + n.path("note").asText());
        };
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(l -> out.add(l.asText()));
        return out;
    }

    private ObjectNode actionNode(Action a) {
        ObjectNode n = mapper.createObjectNode().put("kind", kind(a)).put("key", a.key());
        if (a instanceof Action.Reopen r) {
            n.put("closeRef", r.closeRef());
            ArrayNode labels = n.putArray("labels");
            r.restoreLabels().forEach(labels::add);
        } else if (a instanceof Action.ExplainRejectedClose e) {
            n.put("note", "close-rejected").put("closeRef", e.closeRef());
        } else if (a instanceof Action.AnswerSignoff s) {
            n.put("note", "signoff-reply").put("noteId", s.noteId()).put("accepted", s.accepted());
        } else if (a instanceof Action.SignoffEdited s) {
            n.put("note", "signoff-edited").put("noteId", s.noteId());
        } else if (a instanceof Action.RemindReviewers r) {
            n.put("note", "reminder").put("reviewSince", r.reviewSince().toString()).put("period", r.period());
            ArrayNode reviewers = n.putArray("reviewers");
            r.reviewers().forEach(reviewers::add);
        } else if (a instanceof Action.ChangeLabels l) {
            ArrayNode add = n.putArray("add");
            l.add().forEach(add::add);
            ArrayNode remove = n.putArray("remove");
            l.remove().forEach(remove::add);
        } else if (a instanceof Action.EmergencyNote) {
            n.put("note", "emergency");
        } else if (a instanceof Action.ShadowClose sc) {
            n.put("note", "shadow-close").put("closeRef", sc.closeRef());
        }
        if (a instanceof Action.Note note) {
            n.put("body", note.body()).put("internal", note.internal());
        }
        return n;
    }

    public JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    public String write(Object node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
