package org.countersign.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.countersign.config.ConfigValidation;
import org.countersign.config.CountersignConfig;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The deployment files are parsed and checked for what running Countersign needs: the Kubernetes base
 * (kustomize), the compose file for a local trial, the systemd environment file, the GitLab CI pipeline and
 * the image profile. The required environment variables come from {@link ConfigValidation} itself (what it
 * reports as required when nothing is set), so a new required setting fails here until the files carry it.
 */
class DeployManifestsTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Path K8S = Path.of("deploy/kubernetes/base");
    private static final Set<String> DATABASE = Set.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME",
            "QUARKUS_DATASOURCE_PASSWORD");

    /** The variables ConfigValidation refuses to start without. */
    static Set<String> requiredVariables() {
        CountersignConfig empty = new SmallRyeConfigBuilder().withMapping(CountersignConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter()).build()
                .getConfigMapping(CountersignConfig.class);
        Set<String> required = new TreeSet<>();
        Matcher m = Pattern.compile("^(COUNTERSIGN_[A-Z0-9_]+) \\([^)]*\\) is required").matcher("");
        for (String problem : ConfigValidation.problems(empty)) {
            if (m.reset(problem).find()) {
                required.add(m.group(1));
            }
        }
        return required;
    }

    @Test
    void theRequiredListComesFromTheValidation() {
        assertEquals(Set.of("COUNTERSIGN_GITLAB_URL", "COUNTERSIGN_GITLAB_TOKEN", "COUNTERSIGN_WEBHOOK_SECRET",
                "COUNTERSIGN_PROJECTS"), requiredVariables(), "if this changes, the deploy files below must follow");
    }

    @Test
    void kubernetesBaseRunsTwoProbedReplicasWithEveryRequiredVariable() throws IOException {
        Map<String, JsonNode> byKind = kustomizeResources();
        for (String kind : List.of("Deployment", "Service", "Ingress", "Secret", "ConfigMap", "PodDisruptionBudget")) {
            assertTrue(byKind.containsKey(kind), "missing a " + kind + ": " + byKind.keySet());
        }
        JsonNode deployment = byKind.get("Deployment");
        assertTrue(deployment.path("spec").path("replicas").asInt() >= 2, "replicas >= 2");
        JsonNode pod = deployment.path("spec").path("template");
        JsonNode podLabels = pod.path("metadata").path("labels");
        assertTrue(matches(deployment.path("spec").path("selector").path("matchLabels"), podLabels));
        assertTrue(pod.path("spec").path("securityContext").path("runAsNonRoot").asBoolean(), "runs as non-root");
        JsonNode container = pod.path("spec").path("containers").get(0);
        assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        String probePort = container.path("readinessProbe").path("httpGet").path("port").asText();
        assertTrue(names(container.path("ports"), "name").contains(probePort), "probe port " + probePort + " is declared");

        // every required variable (and the database's) comes from the ConfigMap or the Secret, which have the key
        Map<String, JsonNode> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        Set<String> needed = new LinkedHashSet<>(requiredVariables());
        needed.addAll(DATABASE);
        needed.add("COUNTERSIGN_PUBLIC_URL"); // setup points the webhook at it
        for (String name : needed) {
            JsonNode e = env.get(name);
            assertTrue(e != null, name + " is not set in the Deployment");
            JsonNode cm = e.path("valueFrom").path("configMapKeyRef");
            JsonNode sk = e.path("valueFrom").path("secretKeyRef");
            if (!cm.isMissingNode()) {
                assertEquals(byKind.get("ConfigMap").path("metadata").path("name").asText(), cm.path("name").asText());
                assertTrue(byKind.get("ConfigMap").path("data").has(cm.path("key").asText()), name + " has no ConfigMap key");
            } else if (!sk.isMissingNode()) {
                assertEquals(byKind.get("Secret").path("metadata").path("name").asText(), sk.path("name").asText());
                assertTrue(byKind.get("Secret").path("stringData").has(sk.path("key").asText()), name + " has no Secret key");
            } else {
                assertFalse(e.path("value").asText("").isBlank(), name + " has no value");
            }
        }
        for (String secret : List.of("COUNTERSIGN_GITLAB_TOKEN", "COUNTERSIGN_WEBHOOK_SECRET", "QUARKUS_DATASOURCE_PASSWORD")) {
            assertFalse(env.get(secret).path("valueFrom").path("secretKeyRef").isMissingNode(), secret + " comes from the Secret");
        }

        // the JVM is sized to the container: heap well under the limit, the rest is native memory (~250 MB RSS measured)
        long limit = mebibytes(container.path("resources").path("limits").path("memory").asText());
        long request = mebibytes(container.path("resources").path("requests").path("memory").asText());
        assertTrue(container.path("resources").path("requests").has("cpu"));
        String javaOpts = env.get("JAVA_OPTS_APPEND").path("value").asText();
        Matcher xmx = Pattern.compile("-Xmx(\\d+)m").matcher(javaOpts);
        assertTrue(xmx.find(), javaOpts);
        long heap = Long.parseLong(xmx.group(1));
        assertTrue(heap * 2 <= limit, "heap " + heap + "m leaves room for native memory within " + limit + "Mi");
        assertTrue(request >= 300 && request <= limit, "request covers the measured resident set: " + request + "Mi");
        assertTrue(javaOpts.contains("-XX:+UseSerialGC"));
        assertEquals("2", env.get("MALLOC_ARENA_MAX").path("value").asText());

        JsonNode service = byKind.get("Service");
        assertTrue(matches(service.path("spec").path("selector"), podLabels), "the Service selects the pods");
        assertTrue(names(container.path("ports"), "name").contains(service.path("spec").path("ports").get(0).path("targetPort").asText()));
        JsonNode path = byKind.get("Ingress").path("spec").path("rules").get(0).path("http").path("paths").get(0);
        assertEquals("/webhooks/gitlab", path.path("path").asText());
        assertEquals(service.path("metadata").path("name").asText(), path.path("backend").path("service").path("name").asText());
        JsonNode pdb = byKind.get("PodDisruptionBudget");
        int minAvailable = pdb.path("spec").path("minAvailable").asInt();
        assertTrue(minAvailable >= 1 && minAvailable < deployment.path("spec").path("replicas").asInt(),
                "a drain keeps one replica and can still evict one");
        assertTrue(matches(pdb.path("spec").path("selector").path("matchLabels"), podLabels));
    }

    @Test
    void composeFileRunsCountersignWithItsPostgres() throws IOException {
        JsonNode compose = YAML.readTree(Path.of("deploy/compose/compose.yaml").toFile());
        JsonNode services = compose.path("services");
        assertTrue(services.has("postgres") && services.has("countersign"), services.toString());
        JsonNode cs = services.path("countersign");
        assertEquals("service_healthy", cs.path("depends_on").path("postgres").path("condition").asText());
        assertTrue(services.path("postgres").has("healthcheck"));
        Set<String> env = new TreeSet<>();
        cs.path("environment").fieldNames().forEachRemaining(env::add);
        for (String name : requiredVariables()) {
            assertTrue(env.contains(name), name + " missing in compose");
            assertTrue(cs.path("environment").path(name).asText().contains(":?"), name + " must be given (${VAR:?…})");
        }
        assertTrue(env.containsAll(DATABASE));
        assertTrue(cs.path("environment").path("QUARKUS_DATASOURCE_JDBC_URL").asText().startsWith("jdbc:postgresql://postgres:5432/"));
        assertEquals(services.path("postgres").path("environment").path("POSTGRES_PASSWORD").asText(),
                cs.path("environment").path("QUARKUS_DATASOURCE_PASSWORD").asText());
    }

    @Test
    void systemdEnvironmentFileSetsEveryRequiredVariable() throws IOException {
        Set<String> set = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("deploy/systemd/countersign.env.example"))) {
            if (!line.startsWith("#") && line.contains("=")) {
                set.add(line.substring(0, line.indexOf('=')).strip());
            }
        }
        assertTrue(set.containsAll(requiredVariables()), set.toString());
        assertTrue(set.containsAll(DATABASE), set.toString());
    }

    @Test
    void gitlabPipelineBuildsTestsAgainstPostgresPackagesAndBuildsTheImage() throws IOException {
        JsonNode ci = YAML.readTree(Path.of(".gitlab-ci.yml").toFile());
        assertEquals(List.of("build", "test", "package", "image"), strings(ci.path("stages")));
        assertTrue(ci.path("cache").path("paths").toString().contains(".m2/repository"), "Maven cache");
        assertTrue(ci.path("variables").path("MAVEN_OPTS").asText().contains("-Dmaven.repo.local=$CI_PROJECT_DIR/.m2/repository"));
        JsonNode test = ci.path("test");
        assertEquals("test", test.path("stage").asText());
        assertTrue(test.path("services").toString().contains("postgres"), "a PostgreSQL service");
        assertTrue(test.path("variables").path("COUNTERSIGN_TEST_PG_URL").asText().contains("postgres:5432"));
        assertTrue(strings(test.path("script")).stream().anyMatch(s -> s.contains("verify")));
        assertTrue(strings(test.path("artifacts").path("reports").path("junit")).contains("target/surefire-reports/TEST-*.xml"));
        assertEquals("always", test.path("artifacts").path("when").asText(), "reports of a failing run too");
        JsonNode playground = ci.path("playground");
        assertEquals("test", playground.path("stage").asText());
        assertTrue(playground.path("services").toString().contains("postgres"), "the playground's PostgreSQL");
        assertTrue(strings(playground.path("script")).contains(".ci/playground"), "the README's first command is run");
        assertTrue(strings(ci.path("package").path("script")).stream().anyMatch(s -> s.contains("package")));
        assertTrue(strings(ci.path("image").path("script")).stream().anyMatch(s -> s.contains("-Pimage")
                && s.contains("quarkus.container-image.push=true")));
    }

    @Test
    void theImageIsBuiltOnlyWhenAskedFor() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        Document pom = f.newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Element project = pom.getDocumentElement();
        Element mainDependencies = child(project, "dependencies");
        assertFalse(mainDependencies.getTextContent().contains("quarkus-container-image"), "no image extension in the plain build");
        NodeList profiles = pom.getElementsByTagName("profile");
        boolean found = false;
        for (int i = 0; i < profiles.getLength(); i++) {
            Element p = (Element) profiles.item(i);
            if (child(p, "id").getTextContent().equals("image")) {
                found = true;
                assertTrue(child(p, "dependencies").getTextContent().contains("quarkus-container-image-jib"));
                assertEquals("185", child(child(p, "properties"), "quarkus.jib.user").getTextContent(), "non-root user");
            }
        }
        assertTrue(found, "profile image");
        assertFalse(Files.readString(Path.of("src/main/resources/application.properties")).contains("quarkus.container-image.build=true"));
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, JsonNode> kustomizeResources() throws IOException {
        JsonNode kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
        Map<String, JsonNode> byKind = new HashMap<>();
        for (String file : strings(kustomization.path("resources"))) {
            try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(K8S.resolve(file).toFile())) {
                while (docs.hasNext()) {
                    JsonNode doc = docs.next();
                    String kind = doc.path("kind").asText();
                    assertFalse(kind.isEmpty(), file + " has a document without kind");
                    assertFalse(byKind.containsKey(kind), "two " + kind + "s");
                    byKind.put(kind, doc);
                }
            }
        }
        return byKind;
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        if (!selector.isObject() || selector.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : selector.properties()) {
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static long mebibytes(String quantity) {
        if (quantity.endsWith("Mi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2));
        }
        if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
        }
        throw new AssertionError("write memory in Mi or Gi: " + quantity);
    }

    private static Element child(Element parent, String name) {
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no <" + name + "> in <" + parent.getTagName() + ">");
    }
}
