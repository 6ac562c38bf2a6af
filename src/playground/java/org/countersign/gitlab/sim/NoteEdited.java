package org.countersign.gitlab.sim;

/**
 * Result of a note edit ({@code Notes::UpdateService}), used to render the Note Hook {@code action: update}.
 * {@code bodyChanged} false means the body was unchanged: GitLab saves nothing and fires no hook then.
 */
record NoteEdited(SimProject project, SimUser editor, SimNote before, SimNote after, SimIssue issue,
        boolean bodyChanged) {
}
