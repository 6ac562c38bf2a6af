package org.countersign.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Set;

/** The test world with a service clock the test can move forward ({@link ShiftableClock}): emergency deadlines, policy files, reminders. */
public class EmergencyWorldProfile implements QuarkusTestProfile {
    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ShiftableClock.class);
    }
}
