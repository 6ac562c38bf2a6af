package org.countersign.setup;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.countersign.config.RunMode;

/**
 * The entry point: with no argument it runs the service; {@code setup} checks and prepares every watched
 * project in GitLab ({@link PrepareProjects}), prints what it created, what was already right and what
 * needs a person, and exits 0 when every project is ready, {@value #NOT_READY} otherwise. The command
 * reads the same configuration as the service (and is refused the same way when it is invalid, exit 1),
 * but starts no worker and no reconciliation.
 */
@QuarkusMain
public class CountersignMain implements QuarkusApplication {

    /** Exit status of {@code setup} when something needs a person. */
    public static final int NOT_READY = 2;
    /** Exit status for an unknown command (EX_USAGE). */
    public static final int USAGE = 64;

    @Inject
    Instance<PrepareProjects> prepare;

    public static void main(String... args) {
        if (args.length > 0 && !args[0].isBlank()) {
            System.setProperty(RunMode.COMMAND_PROPERTY, args[0]);
            // a command usually runs next to the service (same host, same container): take any free port
            // rather than fail on the service's
            if (System.getProperty("quarkus.http.port") == null) { // (a system property outranks QUARKUS_HTTP_PORT)
                System.setProperty("quarkus.http.port", "0");
            }
        }
        Quarkus.run(CountersignMain.class, args);
    }

    @Override
    public int run(String... args) {
        if (args.length == 0) {
            Quarkus.waitForExit();
            return 0;
        }
        if (args[0].equals("setup")) {
            SetupReport report = prepare.get().run();
            System.out.print(report.text());
            System.out.flush();
            return report.ready() ? 0 : NOT_READY;
        }
        System.err.println("Unknown command '" + args[0] + "'. Usage: java -jar quarkus-run.jar [setup]");
        return USAGE;
    }
}
