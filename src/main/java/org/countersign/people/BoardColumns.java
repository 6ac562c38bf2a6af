package org.countersign.people;

import java.util.List;

/** What the overview asks GitLab about a project's board: how many tickets each column holds (implemented in the GitLab adapter). */
public interface BoardColumns {

    /**
     * One column and its ticket count. {@code exact} is false when GitLab did not give the total
     * (past 10,000 it leaves out {@code X-Total}): then {@code tickets} is a lower bound.
     */
    record Column(String name, long tickets, boolean exact) {
    }

    /**
     * The project's columns in board order: "Open" (open tickets without any board-list label), one per
     * board list (open tickets carrying its label; lists of every board of the project, each label once),
     * then "Closed".
     */
    List<Column> columns(long projectId);
}
