package org.countersign.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Countersign instance run as an operator runs it: {@code java -jar target/quarkus-app/quarkus-run.jar}
 * in its own process, configured by environment variables, stopped with SIGTERM or killed with SIGKILL.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Map<String, String> env;
    private List<String> jvmOptions = List.of("-Xmx256m");
    private int port;
    private final Path log;
    private Process process;

    /** The JVM options the instance starts with (default {@code -Xmx256m}). */
    public ServiceProcess jvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    /** The process id of the running instance. */
    public long pid() {
        return process.pid();
    }

    public ServiceProcess(String name, Map<String, String> env) throws IOException {
        this.name = name;
        this.env = new HashMap<>(env);
        this.log = Files.createTempFile("countersign-" + name + "-", ".log");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public ServiceProcess start() throws IOException, InterruptedException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package the application first: " + jar.toAbsolutePath());
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("COUNTERSIGN_") || k.startsWith("QUARKUS_"));
        pb.environment().putAll(env);
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            long logged = Files.size(log);
            pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            process = pb.start();
            try {
                awaitReady();
                return this;
            } catch (IllegalStateException e) {
                // the free port was taken (an ephemeral port of some connection) between choosing and binding it
                boolean portTaken = !process.isAlive() && outputSince(logged).contains("seems to be in use");
                if (!portTaken || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
                }
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).timeout(Duration.ofSeconds(2))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (IOException e) {
                    return false; // not listening yet
                }
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException(name + " did not become ready:\n" + output(), e);
        }
    }

    /** SIGKILL: no shutdown hook, no draining — as a crash or {@code kill -9}. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then waits for the process to end; returns its exit code. */
    public int terminate(Duration patience) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(patience.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            throw new IllegalStateException(name + " did not stop within " + patience + " after SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** A thread dump of the running instance (for diagnosing a stall), or why there is none. */
    String threadDump() {
        if (!alive()) {
            return "(not running)";
        }
        try {
            Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                    Long.toString(process.pid())).redirectErrorStream(true).start();
            String dump = new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jstack.waitFor();
            return dump;
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e.getMessage() + ")";
        }
    }

    private String outputSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            kill9();
        }
    }

    /** Copies a stream (used by the proxy). */
    static void copy(InputStream in, OutputStream out) throws IOException {
        in.transferTo(out);
    }
}
