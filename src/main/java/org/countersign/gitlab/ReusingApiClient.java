package org.countersign.gitlab;

import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.MultivaluedMap;
import java.lang.reflect.Field;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiClient;
import org.jboss.logging.Logger;

/**
 * GitLab4J's HTTP client, minus a per-request cost: GitLab4J 6.2.0's {@code invocation()} sets
 * {@code followRedirects} on every new {@code WebTarget}, which makes Jersey copy the client
 * configuration and bootstrap a whole client runtime (HK2, providers) for each call — about 7 ms of
 * CPU per GitLab call, measured (docs/performance.md). Here redirects, timeouts and the token are
 * configured once on the client; each request only builds its target.
 *
 * <p>Installed into a {@link GitLabApi} by {@link #install}. If GitLab4J's internals ever change so
 * that it cannot be, start-up fails with a message saying so: silently falling back would multiply the
 * CPU each GitLab call costs by ten, and the benchmarks would no longer describe the service.
 */
final class ReusingApiClient extends GitLabApiClient {

    private static final Logger LOG = Logger.getLogger(ReusingApiClient.class);

    private final String token;
    private volatile Client client;

    private ReusingApiClient(String url, String token, Duration connectTimeout, Duration readTimeout) {
        super(url, token, null, clientProperties(connectTimeout, readTimeout));
        this.token = token;
    }

    private static Map<String, Object> clientProperties(Duration connectTimeout, Duration readTimeout) {
        Map<String, Object> p = new HashMap<>();
        p.put("jersey.config.client.followRedirects", false);
        p.put("jersey.config.client.connectTimeout", (int) connectTimeout.toMillis());
        p.put("jersey.config.client.readTimeout", (int) readTimeout.toMillis());
        return p;
    }

    /** Replaces {@code api}'s HTTP client with this one; throws if GitLab4J no longer allows it. */
    static void install(GitLabApi api, String url, String token, Duration connectTimeout, Duration readTimeout) {
        Field field;
        try {
            field = GitLabApi.class.getDeclaredField("apiClient");
            field.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("GitLab4J's HTTP client cannot be replaced (" + e
                    + "): this GitLab4J version is not the one Countersign was built for (6.2.0)", e);
        }
        if (!GitLabApiClient.class.isAssignableFrom(field.getType())) {
            throw new IllegalStateException("GitLab4J's field apiClient is a " + field.getType().getName()
                    + ", not a GitLabApiClient: this GitLab4J version is not the one Countersign was built for (6.2.0)");
        }
        try {
            field.set(api, new ReusingApiClient(url, token, connectTimeout, readTimeout));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("GitLab4J's HTTP client cannot be replaced: " + e, e);
        }
        LOG.debug("GitLab4J's HTTP client replaced by one that reuses its Jersey runtime");
    }

    @Override
    protected Client createApiClient() {
        Client c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = super.createApiClient();
                }
                c = client;
            }
        }
        return c;
    }

    @Override
    public void close() {
        Client c = client;
        if (c != null) {
            c.close();
        }
        super.close();
    }

    @Override
    protected Invocation.Builder invocation(URL url, MultivaluedMap<String, String> queryParams, String accept) {
        WebTarget target = createApiClient().target(url.toExternalForm());
        if (queryParams != null) {
            for (Map.Entry<String, List<String>> e : queryParams.entrySet()) {
                target = target.queryParam(e.getKey(), e.getValue().toArray());
            }
        }
        return target.request().header("PRIVATE-TOKEN", token).accept(accept);
    }
}
