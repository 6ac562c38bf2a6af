package org.countersign.gitlab.sim;

/** One list (column) of an issue board, bound to a label. {@code position} starts at 1 as in GitLab's documented example. */
public record SimBoardList(long id, SimLabel label, int position) {
}
