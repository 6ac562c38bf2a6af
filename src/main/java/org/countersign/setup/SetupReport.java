package org.countersign.setup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a set-up run found and did, one line per thing checked. The run is ready when nothing needs a
 * person. Also the JSON answer of {@code POST /admin/setup}.
 */
public record SetupReport(boolean ready, List<Item> items) {

    public enum Outcome {
        CREATED("created"), UPDATED("updated"), ALREADY_RIGHT("already right"), NEEDS_PERSON("needs a person");

        private final String text;

        Outcome(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** {@code project} is the watched project as configured; {@code subject} what was checked. */
    public record Item(String project, String subject, Outcome outcome, String detail) {
    }

    public SetupReport {
        items = List.copyOf(items);
    }

    public static SetupReport of(List<Item> items) {
        return new SetupReport(items.stream().noneMatch(i -> i.outcome() == Outcome.NEEDS_PERSON), items);
    }

    /** Whether this run changed anything in GitLab. */
    public boolean changedSomething() {
        return items.stream().anyMatch(i -> i.outcome() == Outcome.CREATED || i.outcome() == Outcome.UPDATED);
    }

    /** Human-readable, grouped by project, ending with the verdict. */
    public String text() {
        Map<String, List<Item>> byProject = new LinkedHashMap<>();
        items.forEach(i -> byProject.computeIfAbsent(i.project(), k -> new ArrayList<>()).add(i));
        StringBuilder out = new StringBuilder();
        byProject.forEach((project, list) -> {
            out.append(project).append('\n');
            for (Item i : list) {
                out.append(String.format("  %-15s %s: %s%n", i.outcome().text(), i.subject(), i.detail()));
            }
        });
        long needs = items.stream().filter(i -> i.outcome() == Outcome.NEEDS_PERSON).count();
        out.append(ready() ? "Ready: every watched project is set up.\n"
                : "Not ready: " + needs + " thing(s) need a person (see above); run setup again once done.\n");
        return out.toString();
    }
}
