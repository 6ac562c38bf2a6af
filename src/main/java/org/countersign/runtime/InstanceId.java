package org.countersign.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.util.UUID;

/** Names this running instance in leases and claims (host, pid and a random part: restarts get a new one). */
@ApplicationScoped
public class InstanceId {
    private final String id = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);

    public String id() {
        return id;
    }
}
