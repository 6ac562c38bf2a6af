package org.countersign.config;

/**
 * Whether this process is the service or a one-shot command ({@code quarkus-run.jar setup}). A one-shot
 * command starts the application (same configuration, same validation) but no worker loop and no
 * reconciliation: it does its job and exits. Set by {@code setup/CountersignMain} before Quarkus starts.
 */
public final class RunMode {

    /** System property naming the one-shot command; unset for the service. */
    public static final String COMMAND_PROPERTY = "org.countersign.command";

    private RunMode() {
    }

    public static boolean oneShot() {
        String c = System.getProperty(COMMAND_PROPERTY);
        return c != null && !c.isBlank();
    }
}
