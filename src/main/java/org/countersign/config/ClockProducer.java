package org.countersign.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** The one source of "now" for the service; tests may replace it with an alternative bean. */
@ApplicationScoped
public class ClockProducer {
    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
