package org.countersign.probes;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** When a check is expected to ping: every {@code period}, or at the times of a cron expression; plus {@code grace}. */
public sealed interface Schedule {

    Duration grace();

    /** When the next ping is due, given the last one (or when the check was created / last started). */
    Instant nextDue(Instant after);

    /** {@code period} plus {@code grace}: a ping is due {@code period} after the last one. */
    record Period(Duration period, Duration grace) implements Schedule {
        public Period {
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("period must be positive");
            }
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative");
            }
        }

        @Override
        public Instant nextDue(Instant after) {
            return after.plus(period);
        }
    }

    /**
     * Five-field cron (minute hour day-of-month month day-of-week, as crontab) in {@code zone}: a ping is
     * due at the first cron time after the last ping (cron-utils, Unix definition).
     */
    record CronSchedule(String expression, ZoneId zone, Duration grace, Cron cron) implements Schedule {

        private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

        /** @throws IllegalArgumentException saying what is wrong with the expression */
        public static CronSchedule of(String expression, ZoneId zone, Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative");
            }
            String e = expression.strip();
            if (e.split("\\s+").length != 5) {
                throw new IllegalArgumentException("'" + expression + "' is not a five-field cron expression (minute hour "
                        + "day-of-month month day-of-week, e.g. '0 3 * * *')");
            }
            Cron cron;
            try {
                cron = UNIX.parse(e);
                cron.validate();
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("'" + expression + "' is not a valid cron expression: " + ex.getMessage());
            }
            return new CronSchedule(e, zone, grace, cron);
        }

        @Override
        public Instant nextDue(Instant after) {
            return ExecutionTime.forCron(cron).nextExecution(ZonedDateTime.ofInstant(after, zone))
                    .map(ZonedDateTime::toInstant)
                    .orElse(Instant.MAX);
        }
    }
}
