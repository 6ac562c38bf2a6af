package org.countersign.gitlab.sim;

/** Result of a note creation, used to render the Note Hook; {@code issue} is the issue after the note. */
record NoteCreated(SimProject project, SimUser actor, SimNote note, SimIssue issue) {
}
