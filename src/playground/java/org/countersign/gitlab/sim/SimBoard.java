package org.countersign.gitlab.sim;

import java.util.List;

/** A project issue board with its label lists (the Open/Closed lists are implicit, as in GitLab's API). */
public record SimBoard(long id, long projectId, String name, List<SimBoardList> lists) {
    public SimBoard {
        lists = List.copyOf(lists);
    }
}
