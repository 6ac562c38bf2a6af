package org.countersign.probes;

import java.util.List;

/** The checks file (or a check given to the API) is not usable; {@link #problems()} says why, one sentence each. */
public class ChecksFileException extends IllegalArgumentException {

    private final List<String> problems;

    public ChecksFileException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
