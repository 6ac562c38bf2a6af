package org.countersign.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.countersign.policy.Action;
import org.countersign.policy.Decision;
import org.countersign.policy.Reason;
import org.countersign.policy.SignoffCheck;

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
            reasons.addObject().put("code", r.code().name()).put("message", r.message());
        }
        ArrayNode signoffs = n.putArray("signoffs");
        for (SignoffCheck c : d.signoffs()) {
            signoffs.addObject().put("noteId", c.noteId()).put("signer", c.signer().username())
                    .put("signerId", c.signer().id()).put("at", c.at().toString()).put("verified", c.verified())
                    .put("accepted", c.accepted()).put("counts", c.counts()).put("reason", c.reason().code().name())
                    .put("message", c.reason().message());
        }
        ArrayNode actions = n.putArray("actions");
        d.actions().forEach(a -> actions.add(actionNode(a)));
        d.reviewSince().ifPresent(t -> n.put("reviewSince", t.toString()));
        d.closeRef().ifPresent(r -> n.put("closeRef", r));
        d.closedBy().ifPresent(u -> n.put("closedBy", u.username()));
        n.put("validSignoffs", d.validSignoffs());
        n.put("requiredSignoffs", d.requiredSignoffs());
        return write(n);
    }

    public static String kind(Action a) {
        if (a instanceof Action.Reopen) {
            return "REOPEN";
        } else if (a instanceof Action.RestoreLabels) {
            return "RESTORE_LABELS";
        }
        return "POST_NOTE";
    }

    public String action(Action a) {
        return write(actionNode(a));
    }

    /** Reads back an action stored by {@link #action}. */
    public Action action(String kind, String json) {
        JsonNode n = read(json);
        return switch (kind) {
            case "REOPEN" -> new Action.Reopen(n.path("closeRef").asText());
            case "RESTORE_LABELS" -> {
                List<String> labels = new ArrayList<>();
                n.path("labels").forEach(l -> labels.add(l.asText()));
                yield new Action.RestoreLabels(n.path("closeRef").asText(), labels);
            }
            case "POST_NOTE" -> new Action.PostNote(n.path("key").asText(), n.path("body").asText());
            default -> throw new IllegalArgumentException("unknown action kind " + kind);
        };
    }

    private ObjectNode actionNode(Action a) {
        ObjectNode n = mapper.createObjectNode().put("kind", kind(a)).put("key", a.key());
        if (a instanceof Action.Reopen r) {
            n.put("closeRef", r.closeRef());
        } else if (a instanceof Action.RestoreLabels r) {
            n.put("closeRef", r.closeRef());
            ArrayNode labels = n.putArray("labels");
            r.labels().forEach(labels::add);
        } else if (a instanceof Action.PostNote p) {
            n.put("body", p.body());
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
