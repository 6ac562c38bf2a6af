package org.countersign.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Closed-loop HTTP load from {@code wrk} (Debian's package; C, epoll), run as a subprocess — the HTTP
 * counterpart of {@link PgBench}: both baselines of the intake comparison then drive their server with a
 * lean native client in a process of its own, instead of one side paying for Java client threads on the
 * same two cores. A Lua script gives every request its own {@code Idempotency-Key} (so each one is
 * stored, none deduplicated) and cycles through the bodies.
 *
 * <p>{@code wrk} is found at {@code -Dbench.wrk=PATH}, else on the PATH ({@code /usr/bin/wrk}).
 */
final class Wrk {

    /** One run: what wrk counted, and the machine's CPU accounts from its start to its end. */
    record Run(LoadGenerator.Result result, CpuAccount.Snapshot cpuFrom, CpuAccount.Snapshot cpuTo) {
    }

    private static final Pattern REQUESTS = Pattern.compile("([0-9]+) requests in ([0-9.]+)(ms|s|m)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: ([0-9]+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern MAX = Pattern.compile("Latency\\s+\\S+\\s+\\S+\\s+([0-9.]+)(us|ms|s)");

    private final String executable;

    Wrk() {
        executable = find();
    }

    /** Whether a wrk binary is there (the benchmark falls back to the in-JVM lean client otherwise). */
    static boolean available() {
        try {
            find();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    String executable() {
        return executable;
    }

    /**
     * {@code clients} keep-alive connections over {@code threads} wrk threads POST to {@code uri} for
     * {@code seconds}: the bodies in turn, the same {@code headers} on every request, plus
     * {@code Idempotency-Key: <keyPrefix>-<thread>-<n>}.
     */
    Run run(String name, URI uri, List<String[]> headers, List<byte[]> bodies, String keyPrefix, int clients, int threads,
            double seconds) {
        try {
            Path dir = Files.createTempDirectory("countersign-wrk");
            List<String> bodyFiles = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i++) {
                Path f = dir.resolve("body-" + i + ".json");
                Files.write(f, bodies.get(i));
                bodyFiles.add(f.toString());
            }
            Path script = dir.resolve("post.lua");
            Files.writeString(script, lua(headers, bodyFiles, keyPrefix), StandardCharsets.UTF_8);
            long whole = Math.max(1, Math.round(seconds));
            List<String> cmd = List.of(executable, "-t", String.valueOf(threads), "-c", String.valueOf(clients),
                    "-d", whole + "s", "--timeout", "10s", "--latency", "-s", script.toString(), uri.toString());
            CpuAccount.Snapshot from = CpuAccount.snapshot();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60 + whole, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("wrk did not end");
            }
            // reaped by now: its CPU is in this JVM's children's times (CpuAccount)
            CpuAccount.Snapshot to = CpuAccount.snapshot();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("wrk failed (exit " + p.exitValue() + "):\n" + out);
            }
            return new Run(parse(name, out), from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** wrk's report as a {@link LoadGenerator.Result}: the answers that were not 2xx/3xx and socket errors are errors. */
    static LoadGenerator.Result parse(String name, String out) {
        Matcher m = REQUESTS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("unreadable wrk output:\n" + out);
        }
        long requests = Long.parseLong(m.group(1));
        double secs = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
            case "ms" -> 1e-3;
            case "m" -> 60;
            default -> 1;
        };
        long non2xx = find(NON_2XX, out, 1);
        Matcher s = SOCKET_ERRORS.matcher(out);
        long socketErrors = 0;
        if (s.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(s.group(g));
            }
        }
        double[] pct = new double[100];
        Matcher pm = PERCENTILE.matcher(out);
        while (pm.find()) {
            pct[Integer.parseInt(pm.group(1))] = millis(pm.group(2), pm.group(3));
        }
        Matcher max = MAX.matcher(out);
        double maxMs = max.find() ? millis(max.group(1), max.group(2)) : Double.NaN;
        long ok = requests - non2xx;
        long errors = non2xx + socketErrors;
        // wrk reports 50/75/90/99: p95 is not among them and stays NaN
        Latencies.Summary latency = new Latencies.Summary((int) Math.min(Integer.MAX_VALUE, requests), pct[50], pct[90],
                Double.NaN, pct[99], maxMs);
        return new LoadGenerator.Result(name, secs, requests + socketErrors, ok, errors,
                non2xx > 0 ? Map.of(-1, non2xx) : Map.of(), latency, ok / secs);
    }

    private static long find(Pattern p, String out, int group) {
        Matcher m = p.matcher(out);
        return m.find() ? Long.parseLong(m.group(group)) : 0;
    }

    private static double millis(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v / 1e3;
            case "s" -> v * 1e3;
            default -> v;
        };
    }

    private static String lua(List<String[]> headers, List<String> bodyFiles, String keyPrefix) {
        StringBuilder s = new StringBuilder();
        s.append("local bodies = {}\n");
        for (String f : bodyFiles) {
            s.append("do local h = assert(io.open(").append(luaString(f)).append(", 'rb')); bodies[#bodies + 1] = h:read('*a'); h:close() end\n");
        }
        s.append("local headers = {}\n");
        for (String[] h : headers) {
            s.append("headers[").append(luaString(h[0])).append("] = ").append(luaString(h[1])).append('\n');
        }
        s.append("headers['Content-Type'] = 'application/json'\n");
        s.append("""
                local threads = 0
                function setup(thread)
                  threads = threads + 1
                  thread:set("tid", threads)
                end
                local n = 0
                function request()
                  n = n + 1
                  headers['Idempotency-Key'] = %s .. '-' .. tid .. '-' .. n
                  return wrk.format('POST', nil, headers, bodies[(n %% #bodies) + 1])
                end
                """.formatted(luaString(keyPrefix)));
        return s.toString();
    }

    private static String luaString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String find() {
        String configured = System.getProperty("bench.wrk");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "wrk");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException("wrk not found (apt-get install wrk, or -Dbench.wrk=PATH)");
    }
}
