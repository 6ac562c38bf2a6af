package org.countersign.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.countersign.gitlab.WebhookParser;
import org.countersign.gitlab.sim.SimNote;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@code POST /webhooks/gitlab} with 10,315 malformed deliveries while real GitLab activity goes
 * on: nothing may answer 5xx, hang or leak, and every real close without review sent in between must
 * still be undone exactly once. Every case but those with header bytes the HTTP layer may refuse carries
 * the one status it must get, derived from GitLab's webhook contract (see {@link #expectedFor}): each
 * category's statuses must match the prediction, and the service's own counters of malformed and
 * unauthorized deliveries must have grown by exactly what was sent.
 *
 * <p>Reproduce a run with {@code -Dfuzz.seed=<seed printed at the start>}. Fuzz input is about a
 * project Countersign does not watch (like {@link WebhookIntakeTest}), and generated bodies that the
 * service would read as being about the watched project are discarded, so the fuzz itself never makes
 * the service act on real tickets.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class WebhookFuzzTest extends E2eSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** JSON as RFC 8259 has it: one value, nothing after it (whitespace aside). */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final long UNWATCHED = HookFixtures.UNWATCHED;
    /** {@code quarkus.http.limits.max-body-size=25M}: GitLab sends at most 25 MB per webhook. */
    private static final int MAX_BODY = 25 * 1024 * 1024;
    private static final int BATCH = 500;
    private static final int THREADS = 3;
    private static final long MAX_HEAP_GROWTH = 64L * 1024 * 1024;
    private static final String[] FIXTURES = {"issue-hook.json", "issue-hook-state-changes.json",
            "issue-hook-gitlab4j.json", "note-hook-issue.json", "note-hook-issue-gitlab4j.json"};
    private static final String[] HANDLED = {"Issue Hook", "Confidential Issue Hook", "Note Hook", "Confidential Note Hook"};

    enum Category {
        RANDOM_BYTES(1600),
        TRUNCATED(1500),
        DEEP_NESTING(400),
        WRONG_TYPES(1500),
        MUTATED(2000),
        RAW_HEADERS(300),
        TRAILING_GARBAGE(500),
        BAD_HEADERS(1500),
        UNKNOWN_EVENT(700),
        EMPTY_BODY(300),
        HUGE_ALLOWED(12),
        OVERSIZE(3);

        final int count;

        Category(int count) {
            this.count = count;
        }
    }

    /** {@link Case#expected} of a case whose answer is not predicted: any status below 500 will do. */
    private static final Integer ANY_BELOW_500 = null;

    /**
     * One request to send and the one status it must get (or {@link #ANY_BELOW_500}, for header bytes the
     * HTTP layer may refuse before the application sees them). A {@code raw} case goes over its own
     * socket: its headers are not valid HTTP for a client library, or the server answers it by closing
     * the connection (which a pooled client would then reuse).
     */
    private record Case(Category category, Map<String, String> headers, byte[] body, int length, Integer expected,
                        boolean raw) {
        Case(Category category, Map<String, String> headers, byte[] body, int length, Integer expected) {
            this(category, headers, body, length, expected, category == Category.RAW_HEADERS);
        }
    }

    /** Statuses received, per category (-1: no answer). */
    private final Map<Category, Map<Integer, LongAdder>> statusCounts = new EnumMap<>(Category.class);
    /** Statuses predicted, per category, for the cases with a prediction. */
    private final Map<Category, Map<Integer, LongAdder>> expectedCounts = new EnumMap<>(Category.class);
    /** Statuses received, per category, for the cases with a prediction. */
    private final Map<Category, Map<Integer, LongAdder>> predictedCaseCounts = new EnumMap<>(Category.class);
    /** Unpredicted cases the application answered as malformed (400 problem from the intake) or unauthorized. */
    private final AtomicInteger unpredictedMalformed = new AtomicInteger();
    private final AtomicInteger unpredictedUnauthorized = new AtomicInteger();
    private final Map<Category, ConcurrentLinkedQueue<String>> violations = new ConcurrentHashMap<>();
    private final AtomicInteger violationCount = new AtomicInteger();
    private final WebhookParser parser = new WebhookParser(Set.of("issue", "incident"));
    private final Map<String, String> fixtures = new LinkedHashMap<>();
    private HttpClient http;
    private URI uri;

    @Test
    void malformedDeliveriesNeverBreakTheServiceAndRealOnesAreStillHandled() throws Exception {
        long seed = Long.getLong("fuzz.seed", new Random().nextLong());
        System.out.printf("WebhookFuzzTest seed: %d (rerun with -Dfuzz.seed=%d)%n", seed, seed);
        Random random = new Random(seed);
        for (String f : FIXTURES) {
            fixtures.put(f, fixture(f));
        }
        for (Category c : Category.values()) {
            statusCounts.put(c, new ConcurrentHashMap<>());
            expectedCounts.put(c, new ConcurrentHashMap<>());
            predictedCaseCounts.put(c, new ConcurrentHashMap<>());
        }
        uri = webhookUrl.toURI();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        // The plan: every category's quota, shuffled; each case gets its own seed so that what is sent
        // does not depend on thread scheduling.
        List<Category> plan = new ArrayList<>();
        for (Category c : Category.values()) {
            plan.addAll(Collections.nCopies(c.count, c));
        }
        Collections.shuffle(plan, random);
        long[] caseSeeds = random.longs(plan.size()).toArray();

        List<Long> realTickets = new ArrayList<>();
        double malformedBefore = deliveriesCounter("malformed");
        double unauthorizedBefore = deliveriesCounter("unauthorized");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long start = System.nanoTime();
        long heapAfterWarmup = -1;
        try {
            for (int from = 0; from < plan.size(); from += BATCH) {
                List<Future<?>> batch = new ArrayList<>();
                for (int i = from; i < Math.min(plan.size(), from + BATCH); i++) {
                    Category category = plan.get(i);
                    long caseSeed = caseSeeds[i];
                    batch.add(pool.submit(() -> send(generate(category, new Random(caseSeed)))));
                }
                // A real delivery while the fuzz batch is in flight: a close without review, to be undone.
                long iid = sim.createIssue(world.alice, project, "Fuzz interleaved #" + (realTickets.size() + 1), world.bob).iid();
                sim.close(world.bob, project, iid);
                realTickets.add(iid);
                for (Future<?> f : batch) {
                    f.get(2, TimeUnit.MINUTES);
                }
                if (from == 0) {
                    settle();
                    heapAfterWarmup = usedHeapAfterGc();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double malformedDelta = deliveriesCounter("malformed") - malformedBefore;
        double unauthorizedDelta = deliveriesCounter("unauthorized") - unauthorizedBefore;
        int total = plan.size();
        printSummary(total, seconds, realTickets.size());

        for (long iid : realTickets) {
            awaitIssue(iid, i -> !i.isClosed());
        }
        settle();
        long heapAtEnd = usedHeapAfterGc();
        System.out.printf("WebhookFuzzTest used heap after GC: %d MB after warm-up, %d MB at the end (growth %+d MB, bound %d MB)%n",
                heapAfterWarmup >> 20, heapAtEnd >> 20, (heapAtEnd - heapAfterWarmup) >> 20, MAX_HEAP_GROWTH >> 20);

        assertEquals(0, violationCount.get(), violationCount.get() + " bad responses, the first ones are printed above");
        for (Category c : Category.values()) {
            assertEquals(counts(expectedCounts.get(c)), counts(predictedCaseCounts.get(c)),
                    c + ": statuses expected vs received (status -> number of requests)");
        }
        // What the service counted itself matches what was sent: every body that is no GitLab event (and
        // every request without an event header) is a malformed delivery, every wrong token unauthorized.
        long expectedMalformed = count(400) + unpredictedMalformed.get();
        long expectedUnauthorized = count(401) + unpredictedUnauthorized.get();
        assertTrue(expectedMalformed > 5_000 && expectedUnauthorized > 300, expectedMalformed + " / " + expectedUnauthorized);
        assertEquals(expectedMalformed, Math.round(malformedDelta), "countersign_deliveries_total{outcome=\"malformed\"} delta");
        assertEquals(expectedUnauthorized, Math.round(unauthorizedDelta), "countersign_deliveries_total{outcome=\"unauthorized\"} delta");
        for (long iid : realTickets) {
            List<SimNote> notes = botNotes(iid);
            assertTrue(!issue(iid).isClosed(), "#" + iid + " was reopened");
            assertEquals(1, notes.size(), "#" + iid + " got exactly one Countersign note: "
                    + notes.stream().map(SimNote::body).toList());
            assertTrue(notes.get(0).body().contains("reopened"), notes.get(0).body());
        }
        assertTrue(heapAtEnd - heapAfterWarmup < MAX_HEAP_GROWTH, String.format(
                "used heap grew by %d MB (after warm-up %d MB, at the end %d MB)",
                (heapAtEnd - heapAfterWarmup) >> 20, heapAfterWarmup >> 20, heapAtEnd >> 20));

        // Still serving: a normal delivery about the watched project is stored, liveness is UP.
        ObjectNode normalBody = (ObjectNode) MAPPER.readTree(fixtures.get("issue-hook.json"));
        ((ObjectNode) normalBody.get("project")).put("id", project.id());
        ((ObjectNode) normalBody.get("object_attributes")).put("project_id", project.id()).put("iid", 424242);
        HttpResponse<String> normal = http.send(post(goodHeaders("Issue Hook", UUID.randomUUID().toString()),
                MAPPER.writeValueAsBytes(normalBody)), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, normal.statusCode(), normal.body());
        assertTrue(normal.body().contains("\"queued\""), normal.body());
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(uri.resolve("/q/health/live")).GET()
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode(), live.body());
        assertTrue(live.body().contains("\"UP\""), live.body());
    }

    // ======================================================================= sending and checking

    private void send(Case c) {
        String what = c.category + " (" + describe(c) + ")";
        if (c.expected != null) {
            expectedCounts.get(c.category).computeIfAbsent(c.expected, s -> new LongAdder()).increment();
        }
        try {
            int status;
            String type;
            String body;
            if (c.raw) {
                RawResponse r = sendRaw(c);
                status = r.status;
                type = r.contentType;
                body = r.body;
            } else {
                HttpResponse<byte[]> r = http.send(post(c.headers, c.body, c.length), HttpResponse.BodyHandlers.ofByteArray());
                status = r.statusCode();
                type = r.headers().firstValue("Content-Type").orElse("");
                body = new String(r.body(), StandardCharsets.UTF_8);
            }
            statusCounts.get(c.category).computeIfAbsent(status, s -> new LongAdder()).increment();
            if (c.expected != null) {
                predictedCaseCounts.get(c.category).computeIfAbsent(status, s -> new LongAdder()).increment();
            } else if (status == 401) {
                unpredictedUnauthorized.incrementAndGet();
            } else if (status == 400 && (body.contains("\"Malformed webhook\"") || body.contains("Missing X-Gitlab-Event header"))) {
                unpredictedMalformed.incrementAndGet();
            }
            if (status >= 500) {
                violation(c.category, what + " -> " + status + " " + abbreviate(body));
            } else if (c.expected != null && c.expected != status) {
                violation(c.category, what + " -> " + status + ", expected " + c.expected + ": " + abbreviate(body));
            } else if ((status == 400 || status == 401) && !type.startsWith("application/problem+json")
                    && !(c.raw && status == 400 && type.isEmpty() && body.isEmpty())) {
                // (a request that is not valid HTTP is refused by the HTTP layer, before the application sees it)
                violation(c.category, what + " -> " + status + " with Content-Type '" + type + "': " + abbreviate(body));
            }
        } catch (IOException | RuntimeException e) {
            statusCounts.get(c.category).computeIfAbsent(-1, s -> new LongAdder()).increment();
            if (c.expected != null) {
                predictedCaseCounts.get(c.category).computeIfAbsent(-1, s -> new LongAdder()).increment();
            }
            violation(c.category, what + " -> " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record RawResponse(int status, String contentType, String body) {
    }

    /** Sends the case over a plain socket: header bytes no HTTP client library would let through. */
    private RawResponse sendRaw(Case c) throws IOException {
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder("POST ").append(uri.getPath()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
            c.headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(c.length).append("\r\nConnection: close\r\n\r\n");
            java.io.OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(c.body, 0, c.length);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String[] lines = response.split("\r\n", -1);
            if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 ")) {
                throw new IOException("no HTTP response: '" + abbreviate(response) + "'");
            }
            int status = Integer.parseInt(lines[0].substring(9, 12));
            String type = "";
            for (String line : lines) {
                if (line.isEmpty()) {
                    break;
                }
                if (line.regionMatches(true, 0, "Content-Type:", 0, 13)) {
                    type = line.substring(13).strip();
                }
            }
            int bodyAt = response.indexOf("\r\n\r\n");
            return new RawResponse(status, type, bodyAt < 0 ? "" : response.substring(bodyAt + 4));
        }
    }

    private static Map<Integer, Long> counts(Map<Integer, LongAdder> adders) {
        Map<Integer, Long> m = new java.util.TreeMap<>();
        adders.forEach((status, n) -> m.put(status, n.sum()));
        return m;
    }

    /** Requests predicted to get {@code status}, in all categories. */
    private long count(int status) {
        return expectedCounts.values().stream().mapToLong(m -> m.containsKey(status) ? m.get(status).sum() : 0).sum();
    }

    /** {@code countersign_deliveries_total{outcome=…}} as the service exposes it at /q/metrics. */
    private double deliveriesCounter(String outcome) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri.resolve("/q/metrics")).GET()
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body().lines()
                .filter(l -> l.startsWith("countersign_deliveries_total{") && l.contains("outcome=\"" + outcome + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private void violation(Category category, String message) {
        violationCount.incrementAndGet();
        ConcurrentLinkedQueue<String> q = violations.computeIfAbsent(category, k -> new ConcurrentLinkedQueue<>());
        if (q.size() < 5) {
            q.add(message);
        }
    }

    private HttpRequest post(Map<String, String> headers, byte[] body) {
        return post(headers, body, body.length);
    }

    private HttpRequest post(Map<String, String> headers, byte[] body, int length) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length));
        headers.forEach(b::header);
        // Over the limit, the server answers 413 and closes without reading the body; a client still
        // sending it may then lose the answer to the reset (seen once in CI). Asking first lets the
        // server refuse before any of the body is sent, so the 413 is always read.
        return b.expectContinue(length > MAX_BODY).build();
    }

    private static String describe(Case c) {
        Map<String, String> h = new LinkedHashMap<>(c.headers);
        h.computeIfPresent("X-Gitlab-Token", (k, v) -> v.equals(GitLabWorld.SECRET) ? "<secret>" : v);
        String body = new String(c.body, 0, Math.min(c.length, 120), StandardCharsets.ISO_8859_1)
                .replaceAll("[^\\x20-\\x7e]", "?");
        return abbreviate(h.toString()).replaceAll("[\\x00-\\x1f\\x7f]", "?") + ", " + c.length + " bytes: " + body;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(150);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private void printSummary(int total, double seconds, int realTickets) {
        Set<Integer> statuses = new TreeSet<>();
        statusCounts.values().forEach(m -> statuses.addAll(m.keySet()));
        expectedCounts.values().forEach(m -> statuses.addAll(m.keySet()));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%nWebhookFuzzTest: %d malformed deliveries in %.1f s (%.0f/s), %d real tickets closed in between%n",
                total, seconds, total / seconds, realTickets));
        sb.append(String.format("%-18s", "category"));
        statuses.forEach(s -> sb.append(String.format("%8s", s < 0 ? "error" : s)));
        sb.append(String.format("%8s%n", "total"));
        for (Category c : Category.values()) {
            sb.append(String.format("%-18s", c));
            long sum = 0;
            for (int s : statuses) {
                LongAdder n = statusCounts.get(c).get(s);
                long v = n == null ? 0 : n.sum();
                sum += v;
                sb.append(String.format("%8s", v == 0 ? "." : v));
            }
            sb.append(String.format("%8d%n", sum));
            sb.append(String.format("%-18s", "  expected"));
            long predicted = 0;
            for (int s : statuses) {
                LongAdder n = expectedCounts.get(c).get(s);
                long v = n == null ? 0 : n.sum();
                predicted += v;
                sb.append(String.format("%8s", v == 0 ? "." : v));
            }
            sb.append(String.format("%8d%s%n", predicted, predicted < sum ? " (+" + (sum - predicted) + " any < 500)" : ""));
        }
        violations.values().forEach(q -> q.forEach(v -> sb.append("  bad: ").append(v).append('\n')));
        System.out.println(sb);
    }

    // ======================================================================= generating input

    private Case generate(Category category, Random r) {
        return switch (category) {
            case RANDOM_BYTES -> randomBytes(r);
            case RAW_HEADERS -> rawHeaders(r);
            case TRUNCATED -> truncated(r);
            case DEEP_NESTING -> deepNesting(r);
            case WRONG_TYPES -> safe(() -> wrongTypes(r));
            case MUTATED -> safe(() -> mutated(r));
            case TRAILING_GARBAGE -> trailingGarbage(r);
            case BAD_HEADERS -> badHeaders(r);
            case UNKNOWN_EVENT -> unknownEvent(r);
            case EMPTY_BODY -> emptyBody(r);
            case HUGE_ALLOWED -> hugeAllowed(r);
            case OVERSIZE -> oversize(r);
        };
    }

    private Case randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(4096)];
        r.nextBytes(b);
        // make sure the classic troublemakers are in there: NUL, overlong and truncated UTF-8, surrogates
        byte[][] nasty = {{0}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF},
                {(byte) 0xF4, (byte) 0x90}, {(byte) 0xE2, (byte) 0x82}};
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
            byte[] s = nasty[r.nextInt(nasty.length)];
            int at = r.nextInt(b.length);
            System.arraycopy(s, 0, b, at, Math.min(s.length, b.length - at));
        }
        if (r.nextInt(3) == 0) {
            b[0] = (byte) "{[\"".charAt(r.nextInt(3)); // looks like JSON at first glance
        }
        String event = handled(r);
        return new Case(Category.RANDOM_BYTES, goodHeaders(event, null), b, b.length, expectedFor(event, b));
    }

    private Case truncated(Random r) {
        String event = handled(r);
        byte[] full = fixtureFor(event, r).getBytes(StandardCharsets.UTF_8);
        int length = r.nextInt(full.length); // a strict prefix of compact JSON is never valid JSON
        byte[] prefix = Arrays.copyOf(full, length);
        return new Case(Category.TRUNCATED, goodHeaders(event, null), prefix, length, expectedFor(event, prefix));
    }

    private Case deepNesting(Random r) {
        int depth = 10_000 + r.nextInt(90_001);
        StringBuilder sb = new StringBuilder(depth * 6 + 200);
        int shape = r.nextInt(5);
        String open = shape % 2 == 0 ? "[" : "{\"a\":";
        String close = shape % 2 == 0 ? "]" : "}";
        boolean wrapped = shape >= 2;
        if (wrapped) {
            sb.append("{\"object_kind\":\"issue\",\"project\":{\"id\":").append(UNWATCHED).append("},\"object_attributes\":");
        }
        sb.append(open.repeat(depth));
        sb.append(shape % 2 == 0 ? "1" : "{\"iid\":1}");
        if (r.nextBoolean()) {
            sb.append(close.repeat(depth)); // well-formed, only deep
        }
        if (wrapped) {
            sb.append('}');
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        String event = wrapped ? "Issue Hook" : handled(r);
        return new Case(Category.DEEP_NESTING, goodHeaders(event, null), b, b.length, expectedFor(event, b));
    }

    private Case wrongTypes(Random r) {
        String event = handled(r);
        ObjectNode json = (ObjectNode) readTree(fixtureFor(event, r));
        boolean note = event.contains("Note");
        String[] paths = note
                ? new String[] {"object_kind", "object_attributes", "object_attributes.noteable_type", "object_attributes.id",
                        "issue", "issue.iid", "issue.labels", "project", "project.id", "user", "user.id", "project_id"}
                : new String[] {"object_kind", "object_attributes", "object_attributes.iid", "object_attributes.project_id",
                        "object_attributes.labels", "object_attributes.state", "project", "project.id", "user", "user.id",
                        "changes", "labels", "assignees"};
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            String path = paths[r.nextInt(paths.length)];
            ObjectNode holder = json;
            String[] parts = path.split("\\.");
            for (int p = 0; p < parts.length - 1 && holder != null; p++) {
                holder = holder.get(parts[p]) instanceof ObjectNode o ? o : null;
            }
            if (holder != null) {
                holder.set(parts[parts.length - 1], wrongValue(r));
            }
        }
        byte[] b = writeBytes(json);
        return new Case(Category.WRONG_TYPES, goodHeaders(event, null), b, b.length, expectedFor(event, b));
    }

    private static JsonNode wrongValue(Random r) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (r.nextInt(14)) {
            case 0 -> f.textNode("twelve");
            case 1 -> f.textNode("");
            case 2 -> f.numberNode(r.nextInt(1_000_000) + 1_000_000L);
            case 3 -> f.numberNode(3.25);
            case 4 -> f.numberNode(new BigInteger("123456789012345678901234567890"));
            case 5 -> f.numberNode(-7L);
            case 6 -> f.arrayNode().add(UNWATCHED).add("x");
            case 7 -> f.arrayNode();
            case 8 -> f.objectNode().put("id", UNWATCHED).put("iid", "x");
            case 9 -> f.objectNode();
            case 10 -> f.booleanNode(r.nextBoolean());
            case 11 -> f.nullNode();
            case 12 -> f.textNode("\u0000\uFFFF\uD83D\uDE00 ' \" \\ <script>");
            default -> f.rawValueNode(new com.fasterxml.jackson.databind.util.RawValue("1e400"));
        };
    }

    private Case mutated(Random r) {
        String event = handled(r);
        byte[] b = fixtureFor(event, r).getBytes(StandardCharsets.UTF_8);
        for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(3)) {
                case 0 -> b[at] = (byte) (b[at] ^ (1 << r.nextInt(8))); // bit flip
                case 1 -> { // delete a byte
                    byte[] shorter = new byte[b.length - 1];
                    System.arraycopy(b, 0, shorter, 0, at);
                    System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
                    b = shorter;
                }
                default -> { // insert a random byte
                    byte[] longer = new byte[b.length + 1];
                    System.arraycopy(b, 0, longer, 0, at);
                    longer[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, longer, at + 1, b.length - at);
                    b = longer;
                }
            }
        }
        return new Case(Category.MUTATED, goodHeaders(event, r.nextBoolean() ? UUID.randomUUID().toString() : null), b, b.length,
                expectedFor(event, b));
    }

    private Case trailingGarbage(Random r) {
        String event = handled(r);
        byte[] valid = fixtureFor(event, r).getBytes(StandardCharsets.UTF_8);
        byte[][] tails = {{0}, {0, 0, 0}, "}".getBytes(StandardCharsets.UTF_8), "{\"object_kind\":\"push\"}".getBytes(StandardCharsets.UTF_8),
                "garbage".getBytes(StandardCharsets.UTF_8), {(byte) 0xFF, (byte) 0xFE}, {' ', 0, '\n'}, randomTail(r)};
        byte[] tail = tails[r.nextInt(tails.length)];
        byte[] b = Arrays.copyOf(valid, valid.length + tail.length);
        System.arraycopy(tail, 0, b, valid.length, tail.length);
        return new Case(Category.TRAILING_GARBAGE, goodHeaders(event, UUID.randomUUID().toString()), b, b.length,
                expectedFor(event, b));
    }

    private static byte[] randomTail(Random r) {
        byte[] t = new byte[1 + r.nextInt(64)];
        r.nextBytes(t);
        if (t[0] == ' ' || t[0] == '\t' || t[0] == '\n' || t[0] == '\r') {
            t[0] = 'x'; // whitespace after the value would be fine; garbage is not
        }
        return t;
    }

    private Case badHeaders(Random r) {
        String event = handled(r);
        byte[] body = fixtureFor(event, r).getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = new LinkedHashMap<>();
        Integer expected;
        switch (r.nextInt(9)) {
            case 0 -> { // no token
                h.put("X-Gitlab-Event", event);
                expected = 401;
            }
            case 1 -> { // wrong token, sometimes almost right
                h.put("X-Gitlab-Event", event);
                String[] wrong = {"guess", GitLabWorld.SECRET + "x", GitLabWorld.SECRET.substring(1), GitLabWorld.SECRET.toUpperCase(),
                        "s3cret", "x".repeat(2000), oddText(r, 40)};
                h.put("X-Gitlab-Token", wrong[r.nextInt(wrong.length)]);
                expected = 401;
            }
            case 2 -> { // missing event header
                h.put("X-Gitlab-Token", GitLabWorld.SECRET);
                expected = 400;
            }
            case 3 -> { // blank event header
                h.put("X-Gitlab-Token", GitLabWorld.SECRET);
                h.put("X-Gitlab-Event", r.nextBoolean() ? " " : "\t");
                expected = 400;
            }
            case 4 -> { // event names with odd characters: not an event Countersign uses, acknowledged
                h.put("X-Gitlab-Token", GitLabWorld.SECRET);
                h.put("X-Gitlab-Event", oddText(r, 1 + r.nextInt(200)));
                expected = 200;
            }
            case 5 -> { // odd idempotency key / event UUID: still a good delivery (about an unwatched project: 200)
                h.putAll(goodHeaders(event, oddText(r, 1 + r.nextInt(300))));
                h.put("X-Gitlab-Event-UUID", oddText(r, 1 + r.nextInt(100)));
                expected = 200;
            }
            case 6 -> { // odd content types
                h.putAll(goodHeaders(event, UUID.randomUUID().toString()));
                String[] types = {"text/plain", "application/xml", "application/json; charset=EBCDIC-garbage", "a/b;;;=",
                        "application/json; charset", "*/*", "multipart/form-data; boundary=", "application/x-www-form-urlencoded",
                        oddText(r, 30)};
                h.put("Content-Type", types[r.nextInt(types.length)]);
                expected = ANY_BELOW_500; // the HTTP layer may refuse a media type it cannot parse
            }
            case 7 -> { // headers larger than the server accepts: 431 and the connection is closed
                h.putAll(goodHeaders(event, null));
                h.put("X-Padding", "p".repeat(30_000 + r.nextInt(20_000)));
                return new Case(Category.BAD_HEADERS, h, body, body.length, 431, true);
            }
            default -> { // the token of a different length/encoding, with odd characters
                h.put("X-Gitlab-Event", event);
                h.put("X-Gitlab-Token", GitLabWorld.SECRET + oddText(r, 1 + r.nextInt(5)).strip() + "!");
                expected = 401;
            }
        }
        return new Case(Category.BAD_HEADERS, h, body, body.length, expected);
    }

    /** Header values with bytes HTTP forbids or nobody expects: NUL, control characters, Latin-1, raw UTF-8. */
    private Case rawHeaders(Random r) {
        String event = handled(r);
        byte[] body = fixtureFor(event, r).getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = goodHeaders(event, null);
        String[] targets = {"Idempotency-Key", "X-Gitlab-Event-UUID", "X-Gitlab-Event", "X-Gitlab-Token", "X-Gitlab-Instance",
                "Content-Type"};
        for (int i = 0, n = 1 + r.nextInt(2); i < n; i++) {
            h.put(targets[r.nextInt(targets.length)], rawText(r, 1 + r.nextInt(60)));
        }
        return new Case(Category.RAW_HEADERS, h, body, body.length, ANY_BELOW_500);
    }

    private static String rawText(Random r, int length) {
        StringBuilder sb = new StringBuilder("k");
        for (int i = 0; i < length; i++) {
            int kind = r.nextInt(6);
            char c = switch (kind) {
                case 0 -> '\0';
                case 1 -> (char) (1 + r.nextInt(31)); // controls, incl. a bare CR or LF now and then
                case 2 -> (char) 0x7f;
                case 3 -> (char) (0x80 + r.nextInt(128)); // Latin-1 / bytes of broken UTF-8
                default -> (char) (0x20 + r.nextInt(95));
            };
            sb.append(c);
        }
        return sb.append('k').toString();
    }

    /** Text a header may carry on the wire (Latin-1, no control characters) but that nobody expects. */
    private static String oddText(Random r, int length) {
        String alphabet = "Issue Hook Note ;,:=\"'\\/<>{}[]()%$#@!?*&^|~`+\u00e9\u00ff\u00a0\u00b5\u00d7\u0080\u009f";
        StringBuilder sb = new StringBuilder(length);
        sb.append('x'); // never blank
        for (int i = 1; i < length; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        sb.append('x');
        return sb.toString();
    }

    private Case unknownEvent(Random r) {
        String[] events = {"Banana Hook", "Push Hook", "Tag Push Hook", "Pipeline Hook", "Merge Request Hook", "System Hook",
                "Job Hook", "issue hook", "ISSUE HOOK", "Issue  Hook", "Issue Hook ", "Issue", "Hook", "Note Hook!", "Issue\u00a0Hook"};
        String event = events[r.nextInt(events.length)];
        byte[] body = switch (r.nextInt(3)) {
            case 0 -> fixtureFor(handled(r), r).getBytes(StandardCharsets.UTF_8);
            case 1 -> "{\"object_kind\":\"push\"}".getBytes(StandardCharsets.UTF_8);
            default -> {
                byte[] b = new byte[r.nextInt(512)];
                r.nextBytes(b);
                yield b;
            }
        };
        Map<String, String> h = goodHeaders(event, null);
        // header values are trimmed on the wire, so "Issue Hook " arrives as "Issue Hook": a real event
        return new Case(Category.UNKNOWN_EVENT, h, body, body.length, expectedFor(event.strip(), body));
    }

    private Case emptyBody(Random r) {
        Map<String, String> h;
        Integer expected;
        switch (r.nextInt(3)) {
            case 0 -> {
                h = goodHeaders(handled(r), null);
                expected = 400;
            }
            case 1 -> {
                h = goodHeaders("Banana Hook", null);
                expected = 200;
            }
            default -> {
                h = Map.of("X-Gitlab-Event", handled(r));
                expected = 401;
            }
        }
        return new Case(Category.EMPTY_BODY, h, new byte[0], 0, expected);
    }

    /** A real event carrying a large description: big, but within the documented limit. */
    private Case hugeAllowed(Random r) {
        String event = r.nextBoolean() ? "Issue Hook" : "Note Hook";
        ObjectNode json = (ObjectNode) readTree(fixtureFor(event, r));
        int size = 256 * 1024 + r.nextInt(4 * 1024 * 1024);
        StringBuilder sb = new StringBuilder(size);
        String words = "Lorem ipsum d\u00f6lor \u00e9t \u2713 \uD83D\uDE00 \"quoted\" \\ back\n";
        while (sb.length() < size) {
            sb.append(words);
        }
        ((ObjectNode) json.get("object_attributes")).put("description", sb.toString());
        if (r.nextBoolean()) { // and many small values
            ArrayNode many = json.putArray("extra");
            for (int i = 0; i < 20_000; i++) {
                many.add(i);
            }
        }
        byte[] b = writeBytes(json);
        assertTrue(b.length < MAX_BODY);
        return new Case(Category.HUGE_ALLOWED, goodHeaders(event, UUID.randomUUID().toString()), b, b.length, 200);
    }

    /** Just over the documented 25 MB limit: 413, whatever the body says. */
    private Case oversize(Random r) {
        int length = MAX_BODY + 1 + r.nextInt(4096);
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 'a');
        byte[] head = "{\"object_kind\":\"issue\",\"object_attributes\":{\"iid\":1,\"description\":\"".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, b, 0, head.length);
        b[length - 3] = '"';
        b[length - 2] = '}';
        b[length - 1] = '}';
        return new Case(Category.OVERSIZE, goodHeaders("Issue Hook", UUID.randomUUID().toString()), b, length, 413);
    }

    /**
     * Keeps the fuzz away from the watched project: an input the service would read as a delivery about
     * it is replaced by another one.
     */
    private Case safe(java.util.function.Supplier<Case> generator) {
        while (true) {
            Case c = generator.get();
            String event = c.headers.get("X-Gitlab-Event");
            try {
                WebhookParser.Trigger t = parser.parse(event, Arrays.copyOf(c.body, c.length));
                if (t.projectId() != null && t.projectId() == project.id()) {
                    continue;
                }
            } catch (RuntimeException malformed) {
                // the service will refuse it too
            }
            return c;
        }
    }

    /**
     * The status a delivery with the right token must get, from GitLab's contract rather than from the
     * parser: an event Countersign does not use is acknowledged (200); for an issue or note event, a body
     * that is one JSON object with a string {@code object_kind} is a GitLab event and is acknowledged too
     * (200: fuzz input is never about the watched project, so never stored), whatever else it holds or
     * lacks; any other body is no GitLab event at all and is refused (400).
     */
    private static int expectedFor(String event, byte[] body) {
        if (!WebhookParser.isHandled(event)) {
            return 200;
        }
        try {
            JsonNode json = STRICT.readTree(body);
            return json != null && json.isObject() && json.path("object_kind").isTextual() ? 200 : 400;
        } catch (IOException e) {
            return 400;
        }
    }

    // ======================================================================= fixtures

    private static String handled(Random r) {
        return HANDLED[r.nextInt(HANDLED.length)];
    }

    private static Map<String, String> goodHeaders(String event, String idempotencyKey) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Gitlab-Token", GitLabWorld.SECRET);
        h.put("X-Gitlab-Event", event);
        h.put("Content-Type", "application/json");
        if (idempotencyKey != null) {
            h.put("Idempotency-Key", idempotencyKey);
        }
        return h;
    }

    private String fixtureFor(String event, Random r) {
        String[] names = event.contains("Note") ? new String[] {"note-hook-issue.json", "note-hook-issue-gitlab4j.json"}
                : new String[] {"issue-hook.json", "issue-hook-state-changes.json", "issue-hook-gitlab4j.json"};
        return fixtures.get(names[r.nextInt(names.length)]);
    }

    /** A real GitLab payload from the documentation, rewritten to be about a project Countersign does not watch. */
    private static String fixture(String name) {
        return HookFixtures.json(name, UNWATCHED, null);
    }

    private static JsonNode readTree(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] writeBytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
