package org.countersign.workflow;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.countersign.config.ConfigValidation;
import org.countersign.config.RunMode;
import org.countersign.config.Settings;
import org.countersign.governance.PolicyFile;
import org.countersign.store.ProjectPolicyStore;
import org.jboss.logging.Logger;

/**
 * The work item types governed in each watched project, for the webhook intake: the environment's
 * {@code COUNTERSIGN_GOVERNED_TYPES}, or the {@code governed-types} of the project's {@code .countersign.yml}
 * in force. Answers from memory (the intake asks for every delivery, on the HTTP event loop); the copy is
 * read from the {@code project_policy} table (one query for all projects) at start-up, whenever this
 * instance changes a project's policy in force ({@link ProjectPolicies#refresh}), and at every tick of
 * this instance's reconciliation job, whether or not it holds the pass's lease. So a change made on
 * another instance reaches this one's intake within {@code COUNTERSIGN_RECONCILE_INTERVAL}; until then
 * this intake may ignore a delivery about a type the file just added (that ticket is judged by the next
 * reconciliation pass) or queue one about a type it just dropped (judged NOT_GOVERNED, changing nothing).
 */
@ApplicationScoped
public class GovernedTypes {

    private static final Logger LOG = Logger.getLogger(GovernedTypes.class);
    private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {
    };

    private final Set<String> environment;
    private final ProjectPolicyStore store;
    private final ObjectMapper mapper;
    /** Projects whose file sets governed-types, with those types; replaced whole on every reload. */
    private volatile Map<Long, Set<String>> fromFiles = Map.of();

    public GovernedTypes(Settings settings, ProjectPolicyStore store, ObjectMapper mapper) {
        this.environment = Set.copyOf(settings.governedTypes());
        this.store = store;
        this.mapper = mapper;
    }

    void onStart(@Observes StartupEvent ev) {
        if (RunMode.oneShot()) {
            return;
        }
        reload();
    }

    /** The type keys governed in {@code projectId} (the environment's for an unknown or null project). */
    public Set<String> of(Long projectId) {
        if (projectId == null) {
            return environment;
        }
        return fromFiles.getOrDefault(projectId, environment);
    }

    /** Whether {@code projectId}'s governed types come from its {@code .countersign.yml}, not the environment. */
    public boolean fromFile(Long projectId) {
        return projectId != null && fromFiles.containsKey(projectId);
    }

    /** Whether a work item type named {@code typeName} ("Task", "test_case"…) is governed in the project. */
    public boolean governs(Long projectId, String typeName) {
        return typeName != null && of(projectId).contains(ConfigValidation.typeKey(typeName));
    }

    /**
     * Reads every project's policy in force again (one query). A failure keeps the previous copy: the
     * next refresh or tick tries again, and reconciliation judges by the stored policy meanwhile.
     */
    public void reload() {
        try {
            Map<Long, Set<String>> next = new HashMap<>();
            for (ProjectPolicyStore.Row r : store.all()) {
                if (!r.source().equals("file") || r.overridesJson() == null) {
                    continue;
                }
                Map<String, String> values = mapper.readValue(r.overridesJson(), MAP);
                Optional<Set<String>> types = PolicyFile.governedTypes(new PolicyFile.Overrides(values));
                types.ifPresent(t -> next.put(r.projectId(), Set.copyOf(t)));
            }
            fromFiles = Map.copyOf(next);
        } catch (Exception e) {
            LOG.warnf("cannot read the governed types of the projects' policies, the intake keeps its previous copy: %s",
                    e.getMessage());
        }
    }
}
