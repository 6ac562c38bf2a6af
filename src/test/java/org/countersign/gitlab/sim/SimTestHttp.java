package org.countersign.gitlab.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw HTTP against the simulator's REST API, for tests that check GitLab's exact JSON and headers. */
final class SimTestHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final GitLabSimulator sim;

    SimTestHttp(GitLabSimulator sim) {
        this.sim = sim;
    }

    /** {@code GET /api/v4 + path} as {@code user}. */
    HttpResponse<String> get(SimUser user, String path) {
        return send(user, "GET", path, null);
    }

    /** Sends {@code form} (already URL-encoded, may be null) with the method, as {@code user}. */
    HttpResponse<String> send(SimUser user, String method, String path, String form) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v4" + path))
                .header("PRIVATE-TOKEN", user.token()).timeout(Duration.ofSeconds(30));
        if (form == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/x-www-form-urlencoded")
                    .method(method, HttpRequest.BodyPublishers.ofString(form));
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return SimJson.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }
}
