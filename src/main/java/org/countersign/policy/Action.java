package org.countersign.policy;

import java.util.List;
import java.util.Objects;

/**
 * A GitLab side effect the decision asks for. Every action has a stable {@link #key()}: deciding
 * again on the same history yields the same keys, so an action is queued and applied at most once
 * whatever the number of deliveries or reconciliation passes.
 */
public sealed interface Action {

    String key();

    /** Reopen the ticket if close {@code closeRef} is still its latest close. */
    record Reopen(String closeRef) implements Action {
        public Reopen {
            Objects.requireNonNull(closeRef, "closeRef");
        }

        @Override
        public String key() {
            return "reopen:" + closeRef;
        }
    }

    /** Put back the board-list labels that close {@code closeRef} removed. */
    record RestoreLabels(String closeRef, List<String> labels) implements Action {
        public RestoreLabels {
            Objects.requireNonNull(closeRef, "closeRef");
            labels = List.copyOf(labels);
        }

        @Override
        public String key() {
            return "restore-labels:" + closeRef;
        }
    }

    /**
     * Post a note. The body ends with a hidden marker carrying the key, so the service recognises a
     * note it already posted even if it crashed before recording that.
     */
    record PostNote(String key, String body) implements Action {
        public PostNote {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(body, "body");
        }
    }
}
