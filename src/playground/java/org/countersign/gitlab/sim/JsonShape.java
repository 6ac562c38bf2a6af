package org.countersign.gitlab.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural comparison of a GitLab example (fixture) with a simulator payload: every key of the
 * fixture must exist in the actual JSON with the same JSON type, recursively; {@code null} in the
 * fixture matches anything; array elements of the actual JSON are compared with the fixture's first
 * element. Exceptions are explicit and must be justified by the caller:
 * <ul>
 *   <li>{@code ignored}: fixture paths not checked at all (e.g. incident-only fields);</li>
 *   <li>{@code nullable}: paths or key names the simulator may send as null (unset optional data);</li>
 *   <li>{@code open}: object paths where only keys present on both sides are compared (e.g.
 *       {@code changes}, which holds only the fields changed by that particular action).</li>
 * </ul>
 * Paths look like {@code object_attributes.labels[].title}; the root is {@code ""}.
 */
final class JsonShape {

    record Rules(Set<String> ignored, Set<String> nullable, Set<String> open) {
        static Rules strict() {
            return new Rules(Set.of(), Set.of(), Set.of());
        }
    }

    private JsonShape() {
    }

    /** Returns human-readable mismatches; empty when the actual JSON covers the fixture's shape. */
    static List<String> mismatches(JsonNode fixture, JsonNode actual, Rules rules) {
        List<String> out = new ArrayList<>();
        compare("", fixture, actual, rules, out);
        return out;
    }

    private static void compare(String path, JsonNode f, JsonNode a, Rules rules, List<String> out) {
        if (rules.ignored().contains(path) || f.isNull()) {
            return;
        }
        if (a == null || a.isMissingNode()) {
            out.add(path + ": missing (fixture has " + f.getNodeType() + ")");
            return;
        }
        if (a.isNull()) {
            if (!rules.nullable().contains(path) && !rules.nullable().contains(lastKey(path))) {
                out.add(path + ": null, fixture has " + f.getNodeType());
            }
            return;
        }
        if (f.getNodeType() != a.getNodeType()) {
            out.add(path + ": " + a.getNodeType() + ", fixture has " + f.getNodeType());
            return;
        }
        if (f.isObject()) {
            boolean open = rules.open().contains(path);
            for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (open && !a.has(e.getKey())) {
                    continue;
                }
                compare(child, e.getValue(), a.get(e.getKey()), rules, out);
            }
        } else if (f.isArray() && f.size() > 0) {
            if (a.size() == 0) {
                out.add(path + ": empty array, cannot check element shape");
            }
            for (JsonNode element : a) {
                compare(path + "[]", f.get(0), element, rules, out);
            }
        }
    }

    private static String lastKey(String path) {
        String p = path.endsWith("[]") ? path.substring(0, path.length() - 2) : path;
        return p.substring(p.lastIndexOf('.') + 1);
    }
}
