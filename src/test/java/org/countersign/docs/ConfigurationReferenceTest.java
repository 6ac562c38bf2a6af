package org.countersign.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md cannot drift from the code: every property of every {@code @ConfigMapping} interface
 * under {@code org.countersign} (found by reflection over the compiled classes, so a new mapping in a new
 * package is covered without touching this test) must have a row naming its environment variable and, when it
 * has one, its default; and the page may name no {@code COUNTERSIGN_*} variable the code does not have.
 */
class ConfigurationReferenceTest {

    private static final Path DOC = Path.of("docs/configuration.md");

    /** A property: its name, environment variable, and default (null when none). */
    record Property(String name, String env, String defaultValue) {
    }

    static List<Property> properties() throws IOException {
        List<Property> out = new ArrayList<>();
        for (Class<?> mapping : mappings()) {
            collect(mapping, mapping.getAnnotation(ConfigMapping.class).prefix(), out);
        }
        return out;
    }

    private static List<Class<?>> mappings() throws IOException {
        Path classes = Path.of("target/classes");
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes.resolve("org/countersign"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                try {
                    Class<?> c = Class.forName(name, false, ConfigurationReferenceTest.class.getClassLoader());
                    if (c.isInterface() && c.isAnnotationPresent(ConfigMapping.class)) {
                        found.add(c);
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    // not loadable on its own (e.g. generated): cannot be a mapping of ours
                }
            }
        }
        assertTrue(!found.isEmpty(), "no @ConfigMapping found under target/classes");
        return found;
    }

    private static void collect(Class<?> type, String prefix, List<Property> out) {
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() > 0 || Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
                continue;
            }
            String name = prefix + "." + Optional.ofNullable(m.getAnnotation(WithName.class)).map(WithName::value)
                    .orElse(kebab(m.getName()));
            Class<?> r = m.getReturnType();
            if (r.isInterface() && r.getName().startsWith("org.countersign")) {
                collect(r, name, out);
                continue;
            }
            String def = Optional.ofNullable(m.getAnnotation(WithDefault.class)).map(WithDefault::value).orElse(null);
            out.add(new Property(name, name.toUpperCase().replaceAll("[.\\-]", "_"), def));
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** The table rows of the page, by the environment variable in their first cell. */
    private static Map<String, String> rows() throws IOException {
        Map<String, String> rows = new TreeMap<>();
        Matcher env = Pattern.compile("`([A-Z][A-Z0-9_]+)`").matcher("");
        for (String line : Files.readAllLines(DOC)) {
            if (!line.startsWith("|")) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length > 1 && env.reset(cells[1]).find()) {
                rows.put(env.group(1), line);
            }
        }
        return rows;
    }

    @Test
    void everyPropertyIsDocumentedWithItsDefault() throws IOException {
        Map<String, String> rows = rows();
        List<String> missing = new ArrayList<>();
        for (Property p : properties()) {
            String row = rows.get(p.env());
            if (row == null) {
                missing.add(p.env() + " (" + p.name() + ") has no row in " + DOC);
            } else if (!row.contains("`" + p.name() + "`")) {
                missing.add(p.env() + ": its row does not name the property `" + p.name() + "`");
            } else if (p.defaultValue() != null && !row.contains("`" + p.defaultValue() + "`")) {
                missing.add(p.env() + ": its row does not give the default `" + p.defaultValue() + "`");
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void thePageNamesNoVariableTheCodeDoesNotHave() throws IOException {
        Set<String> known = new TreeSet<>();
        properties().forEach(p -> known.add(p.env()));
        Set<String> stale = new TreeSet<>();
        for (String env : rows().keySet()) {
            if (env.startsWith("COUNTERSIGN_") && !known.contains(env)) {
                stale.add(env);
            }
        }
        assertEquals(Set.of(), stale, "documented but not in any @ConfigMapping");
    }

    @Test
    void theReflectionSeesNestedGroupsAndDefaults() throws IOException {
        Map<String, Property> byName = new TreeMap<>();
        properties().forEach(p -> byName.put(p.name(), p));
        assertEquals(new Property("countersign.worker.rate-limit-backoff-max", "COUNTERSIGN_WORKER_RATE_LIMIT_BACKOFF_MAX", "5m"),
                byName.get("countersign.worker.rate-limit-backoff-max"));
        assertEquals(new Property("countersign.gitlab.url", "COUNTERSIGN_GITLAB_URL", null), byName.get("countersign.gitlab.url"));
    }
}
