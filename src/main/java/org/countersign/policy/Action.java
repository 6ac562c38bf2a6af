package org.countersign.policy;

import java.util.List;
import java.util.Objects;
import java.time.Instant;

/**
 * A GitLab side effect the decision asks for. Every action has a stable {@link #key()}: deciding
 * again on the same history yields the same keys, so an action is queued and applied at most once
 * whatever the number of deliveries or reconciliation passes.
 */
public sealed interface Action {

    String key();

    /**
     * Reopen the ticket if close {@code closeRef} is still its latest close, putting back in the same
     * update the board-list labels that close removed (so nobody sees it in the wrong column).
     */
    record Reopen(String closeRef, List<String> restoreLabels) implements Action {
        public Reopen {
            Objects.requireNonNull(closeRef, "closeRef");
            restoreLabels = List.copyOf(restoreLabels);
        }

        @Override
        public String key() {
            return "reopen:" + closeRef;
        }
    }

    /**
     * A note Countersign posts. Its body ends with a hidden marker carrying the key, so the service
     * recognises a note it already posted even if it crashed before recording that.
     */
    sealed interface Note extends Action {
        String body();

        /** Post as an internal note (it answers, or may quote, an internal one). */
        boolean internal();
    }

    /** Tells the closer why close {@code closeRef} was undone. Always public: it quotes no note. */
    record ExplainRejectedClose(String closeRef, String body) implements Note {
        public ExplainRejectedClose {
            Objects.requireNonNull(closeRef, "closeRef");
            Objects.requireNonNull(body, "body");
        }

        @Override
        public String key() {
            return "close-rejected:" + closeRef;
        }

        @Override
        public boolean internal() {
            return false;
        }
    }

    /** Answers sign-off note {@code noteId}: recorded, or why it does not count. */
    record AnswerSignoff(long noteId, boolean accepted, String body, boolean internal) implements Note {
        public AnswerSignoff {
            Objects.requireNonNull(body, "body");
        }

        @Override
        public String key() {
            return "signoff-reply:" + noteId;
        }
    }

    /** Tells the signer that sign-off note {@code noteId} was edited and asks for a new one. */
    record SignoffEdited(long noteId, String body, boolean internal) implements Note {
        public SignoffEdited {
            Objects.requireNonNull(body, "body");
        }

        @Override
        public String key() {
            return "signoff-edited:" + noteId;
        }
    }

    /**
     * Shadow mode: the one note on close {@code closeRef} saying what enforcement would have done and why,
     * in place of every change to the ticket. Public: it quotes no note.
     */
    record ShadowClose(String closeRef, String body) implements Note {
        public ShadowClose {
            Objects.requireNonNull(closeRef, "closeRef");
            Objects.requireNonNull(body, "body");
        }

        @Override
        public String key() {
            return "shadow-close:" + closeRef;
        }

        @Override
        public boolean internal() {
            return false;
        }
    }

    /**
     * Adds {@code add} and removes {@code remove} (labels the issue does not carry, or already carries,
     * are left as they are). {@code key} names what it is for, e.g. {@code emergency-label:<close>}.
     */
    record ChangeLabels(String key, List<String> add, List<String> remove) implements Action {
        public ChangeLabels {
            Objects.requireNonNull(key, "key");
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }
    }

    /** A note about the emergency path (an answer to {@code /emergency}, review due, review done). */
    record EmergencyNote(String key, String body, boolean internal) implements Note {
        public EmergencyNote {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(body, "body");
        }
    }

    /**
     * Reminds the eligible reviewers that the ticket has waited in the review column since
     * {@code reviewSince}: one per {@code period} (the number of whole reminder periods waited), so a
     * ticket gets at most one reminder per period, whatever the number of instances or passes.
     */
    record RemindReviewers(Instant reviewSince, long period, List<String> reviewers, String body) implements Note {
        public RemindReviewers {
            Objects.requireNonNull(reviewSince, "reviewSince");
            reviewers = List.copyOf(reviewers);
            Objects.requireNonNull(body, "body");
            if (period < 1) {
                throw new IllegalArgumentException("period must be at least 1");
            }
        }

        @Override
        public String key() {
            return key(reviewSince, period);
        }

        /** The key of the reminder for period {@code period} of the review that began at {@code reviewSince}. */
        public static String key(Instant reviewSince, long period) {
            return "reminder:" + reviewSince.toEpochMilli() + ":" + period;
        }

        @Override
        public boolean internal() {
            return false;
        }
    }
}
