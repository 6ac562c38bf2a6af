package org.countersign.governance;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.countersign.config.ConfigValidation;
import org.countersign.policy.AccessLevels;
import org.countersign.policy.PolicySettings;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a project's {@code .countersign.yml}: which of the rule's settings it overrides. Pure (text in,
 * overrides or problems out); every problem names the line and the key. Keys:
 * {@code review-label}, {@code required-signoffs}, {@code min-access-level}, {@code author-is-implementer},
 * {@code scope-label}, {@code governed-types}, {@code emergency.enabled}, {@code emergency.deadline}.
 */
public final class PolicyFile {

    public static final String PATH = ".countersign.yml";
    static final Set<String> KEYS = Set.of("review-label", "required-signoffs", "min-access-level", "author-is-implementer",
            "scope-label", "governed-types", "emergency");
    static final Set<String> EMERGENCY_KEYS = Set.of("enabled", "deadline");
    private static final int MAX_BYTES = 64 * 1024;

    private PolicyFile() {
    }

    /**
     * The settings a file overrides, by key ({@code emergency.deadline} for nested keys), as canonical
     * strings: stored, audited, compared and applied with {@link #apply}.
     */
    public record Overrides(Map<String, String> values) {
        public Overrides {
            values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
        }

        public static Overrides none() {
            return new Overrides(Map.of());
        }
    }

    /** Either overrides, or the problems that make the file invalid. */
    public record Result(Optional<Overrides> overrides, List<String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    public static Result parse(String text) {
        if (text.length() > MAX_BYTES) {
            return invalid("the file is larger than 64 KiB");
        }
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            root = new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(
                    new org.yaml.snakeyaml.DumperOptions()), new org.yaml.snakeyaml.DumperOptions(), options)
                    .compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            return invalid("line " + line + ": not valid YAML: " + e.getProblem());
        } catch (RuntimeException e) {
            return invalid("not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            return new Result(Optional.of(Overrides.none()), List.of()); // an empty file overrides nothing
        }
        if (!(root instanceof MappingNode map)) {
            return invalid(at(root) + "the file must be a mapping of keys (review-label: …), not a "
                    + kind(root));
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (NodeTuple t : map.getValue()) {
            String key = scalar(t.getKeyNode()).orElse("?");
            Node v = t.getValueNode();
            if (!seen.add(key)) {
                problems.add(at(t.getKeyNode()) + "key '" + key + "' appears twice");
                continue;
            }
            switch (key) {
                case "review-label" -> text(key, v, problems).ifPresent(x -> values.put(key, x));
                case "scope-label" -> {
                    if (isNull(v)) {
                        values.put(key, "");
                    } else {
                        text(key, v, problems).ifPresent(x -> values.put(key, x));
                    }
                }
                case "required-signoffs" -> scalarOf(key, v, problems).ifPresent(x -> {
                    try {
                        int n = Integer.parseInt(x);
                        if (n < 1) {
                            problems.add(at(v) + "required-signoffs must be at least 1, got " + n);
                        } else {
                            values.put(key, Integer.toString(n));
                        }
                    } catch (NumberFormatException e) {
                        problems.add(at(v) + "required-signoffs must be a whole number (1, 2 …), got '" + x + "'");
                    }
                });
                case "min-access-level" -> scalarOf(key, v, problems).ifPresent(x -> {
                    try {
                        values.put(key, Integer.toString(AccessLevels.parse(x)));
                    } catch (IllegalArgumentException e) {
                        problems.add(at(v) + "min-access-level: " + e.getMessage());
                    }
                });
                case "author-is-implementer" -> bool(key, v, problems).ifPresent(x -> values.put(key, x));
                case "governed-types" -> {
                    String joined;
                    if (v instanceof SequenceNode seq) {
                        List<String> names = new ArrayList<>();
                        for (Node item : seq.getValue()) {
                            scalarOf(key, item, problems).ifPresent(names::add);
                        }
                        joined = String.join(",", names);
                    } else {
                        joined = scalarOf(key, v, problems).orElse(null);
                    }
                    if (joined != null) {
                        try {
                            Set<String> types = ConfigValidation.governedTypes(Optional.of(joined));
                            if (types.isEmpty()) {
                                problems.add(at(v) + "governed-types must name at least one work item type");
                            } else {
                                values.put(key, String.join(",", types));
                            }
                        } catch (IllegalArgumentException e) {
                            problems.add(at(v) + "governed-types: " + e.getMessage());
                        }
                    }
                }
                case "emergency" -> {
                    if (!(v instanceof MappingNode em)) {
                        problems.add(at(v) + "emergency must be a mapping (enabled: …, deadline: …), not a " + kind(v));
                        break;
                    }
                    for (NodeTuple et : em.getValue()) {
                        String sub = scalar(et.getKeyNode()).orElse("?");
                        Node ev = et.getValueNode();
                        if (sub.equals("enabled")) {
                            bool("emergency.enabled", ev, problems).ifPresent(x -> values.put("emergency.enabled", x));
                        } else if (sub.equals("deadline")) {
                            scalarOf("emergency.deadline", ev, problems).ifPresent(x -> {
                                List<String> p = Governance.deadlineProblems("emergency.deadline", x);
                                if (p.isEmpty()) {
                                    values.put("emergency.deadline", ConfigValidation.parseInterval(x).toString());
                                } else {
                                    p.forEach(m -> problems.add(at(ev) + m));
                                }
                            });
                        } else {
                            problems.add(at(et.getKeyNode()) + "unknown key 'emergency." + sub + "' (known: emergency.enabled,"
                                    + " emergency.deadline)");
                        }
                    }
                }
                default -> problems.add(at(t.getKeyNode()) + "unknown key '" + key + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        if (!problems.isEmpty()) {
            return new Result(Optional.empty(), List.copyOf(problems));
        }
        return new Result(Optional.of(new Overrides(values)), List.of());
    }

    /** {@code base} (from the environment) with the file's overrides applied. */
    public static PolicySettings apply(PolicySettings base, Overrides o) {
        Map<String, String> v = o.values();
        return new PolicySettings(
                v.getOrDefault("review-label", base.reviewLabel()),
                v.containsKey("required-signoffs") ? Integer.parseInt(v.get("required-signoffs")) : base.requiredSignoffs(),
                v.containsKey("min-access-level") ? Integer.parseInt(v.get("min-access-level")) : base.minAccessLevel(),
                v.containsKey("author-is-implementer") ? Boolean.parseBoolean(v.get("author-is-implementer"))
                        : base.authorIsImplementer(),
                v.containsKey("scope-label") ? Optional.of(v.get("scope-label")).filter(x -> !x.isBlank()) : base.scopeLabel(),
                governedTypes(o).orElse(base.governedTypes()),
                base.botUserId(), base.closeWindow(),
                v.containsKey("emergency.enabled") ? Boolean.parseBoolean(v.get("emergency.enabled")) : base.emergencyEnabled(),
                base.emergencyLabel(),
                v.containsKey("emergency.deadline") ? Duration.parse(v.get("emergency.deadline")) : base.emergencyDeadline());
    }

    /** The work item types the file governs (type keys, as {@code ConfigValidation#typeKey}), if it names any. */
    public static Optional<Set<String>> governedTypes(Overrides o) {
        String joined = o.values().get("governed-types");
        return joined == null ? Optional.empty() : Optional.of(Set.of(joined.split(",")));
    }

    private static Result invalid(String problem) {
        return new Result(Optional.empty(), List.of(problem));
    }

    private static String at(Node n) {
        return "line " + (n.getStartMark().getLine() + 1) + ": ";
    }

    private static String kind(Node n) {
        if (n instanceof MappingNode) {
            return "mapping";
        } else if (n instanceof SequenceNode) {
            return "list";
        }
        return "single value";
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && (s.getTag().getValue().endsWith(":null") || s.getValue().isEmpty());
    }

    private static Optional<String> scalar(Node n) {
        return n instanceof ScalarNode s ? Optional.of(s.getValue()) : Optional.empty();
    }

    private static Optional<String> scalarOf(String key, Node v, List<String> problems) {
        if (!(v instanceof ScalarNode s) || isNull(v)) {
            problems.add(at(v) + key + " must be a single value, not " + (isNull(v) ? "empty" : "a " + kind(v)));
            return Optional.empty();
        }
        return Optional.of(s.getValue().strip());
    }

    private static Optional<String> text(String key, Node v, List<String> problems) {
        Optional<String> s = scalarOf(key, v, problems);
        if (s.isPresent() && s.get().isBlank()) {
            problems.add(at(v) + key + " must not be blank");
            return Optional.empty();
        }
        return s;
    }

    private static Optional<String> bool(String key, Node v, List<String> problems) {
        return scalarOf(key, v, problems).flatMap(x -> {
            String t = x.toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                return Optional.of(t);
            }
            problems.add(at(v) + key + " must be true or false, got '" + x + "'");
            return Optional.empty();
        });
    }
}
