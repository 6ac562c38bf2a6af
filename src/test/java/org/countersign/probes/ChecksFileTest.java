package org.countersign.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChecksFileTest {

    @Test
    void readsTheIssueExampleAndDefaults() {
        List<CheckSpec> specs = ChecksFile.parse(
                "checks: [{slug: nightly-backup, name: Nightly backup, period: 1d, grace: 2h, owners: [alice]}]");
        assertEquals(1, specs.size());
        CheckSpec s = specs.get(0);
        assertEquals("nightly-backup", s.slug());
        assertEquals("Nightly backup", s.name());
        assertEquals(new Schedule.Period(Duration.ofDays(1), Duration.ofHours(2)), s.schedule());
        assertEquals(List.of("alice"), s.owners());
        assertTrue(s.isPublic());
        assertEquals(Optional.empty(), s.project());
        assertNotNull(s.pingKey(), "generated when absent");
    }

    @Test
    void readsCronTimezoneMinDurationGivenKeyAndProject() {
        String yaml = """
                checks:
                  - slug: db-dump
                    name: Database dump
                    ping-key: 5b2c1f0e-3c3d-4a8e-9a51-6a0f7b1d2e3f
                    cron: "30 2 * * 1-5"
                    timezone: Europe/Paris
                    grace: 30m
                    min-duration: 5m
                    project: infra/interventions
                    owners: ["@bob", carol]
                    public: false
                """;
        CheckSpec s = ChecksFile.parse(yaml).get(0);
        assertEquals(UUID.fromString("5b2c1f0e-3c3d-4a8e-9a51-6a0f7b1d2e3f"), s.pingKey());
        Schedule.CronSchedule c = (Schedule.CronSchedule) s.schedule();
        assertEquals(ZoneId.of("Europe/Paris"), c.zone());
        assertEquals(Duration.ofMinutes(30), c.grace());
        assertEquals(Optional.of(Duration.ofMinutes(5)), s.minDuration());
        assertEquals(Optional.of("infra/interventions"), s.project());
        assertEquals(List.of("bob", "carol"), s.owners());
        assertFalse(s.isPublic());
    }

    @Test
    void everyProblemNamesTheCheckAndTheKey() {
        String yaml = """
                checks:
                  - slug: Bad Slug
                    name: x
                    period: 1d
                    grace: 2h
                  - slug: backup
                    name: Backup
                    period: soon
                    grace: 1h
                  - slug: dump
                    name: Dump
                    cron: "61 * * * *"
                    grace: 1h
                  - slug: tz
                    name: Tz
                    cron: "0 3 * * *"
                    timezone: Mars/Olympus
                    grace: 1h
                  - slug: both
                    name: Both
                    period: 1d
                    cron: "0 3 * * *"
                    grace: 1h
                  - slug: nograce
                    name: No grace
                    period: 1d
                  - slug: extra
                    name: Extra
                    period: 1d
                    grace: 1h
                    colour: red
                  - slug: key
                    name: Key
                    period: 1d
                    grace: 1h
                    ping-key: not-a-uuid
                  - slug: backup
                    name: Backup again
                    period: 1d
                    grace: 1h
                """;
        ChecksFileException e = assertThrows(ChecksFileException.class, () -> ChecksFile.parse(yaml));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("check 'Bad Slug': key 'slug': 'Bad Slug' is not URL-safe"), all);
        assertTrue(all.contains("check 'backup': key 'period': 'soon' is not a duration"), all);
        assertTrue(all.contains("check 'dump': key 'cron':"), all);
        assertTrue(all.contains("check 'tz': key 'timezone': 'Mars/Olympus' is not a time zone"), all);
        assertTrue(all.contains("check 'both': give either 'period' or 'cron', not both"), all);
        assertTrue(all.contains("check 'nograce': key 'grace' is required"), all);
        assertTrue(all.contains("check 'extra': unknown key 'colour'"), all);
        assertTrue(all.contains("check 'key': key 'ping-key': 'not-a-uuid' is not a UUID"), all);
        assertEquals(8, e.problems().size(), all); // the second 'backup' is compared only with valid checks
    }

    @Test
    void duplicateSlugIsReported() {
        ChecksFileException e = assertThrows(ChecksFileException.class, () -> ChecksFile.parse(
                "checks: [{slug: a, name: A, period: 1d, grace: 1h}, {slug: a, name: B, period: 1d, grace: 1h}]"));
        assertEquals(List.of("check 'a': key 'slug': used by more than one check"), e.problems());
    }

    @Test
    void fileShapeErrors() {
        assertEquals(List.of("the file must have a top-level 'checks:' list"),
                assertThrows(ChecksFileException.class, () -> ChecksFile.parse("- slug: a")).problems());
        assertTrue(assertThrows(ChecksFileException.class, () -> ChecksFile.parse("checks: [unclosed"))
                .problems().get(0).startsWith("not valid YAML"));
        assertEquals(List.of(), ChecksFile.parse(""));
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofDays(7), Durations.parse("1w"));
        assertEquals("1d2h", Durations.format(Duration.ofHours(26)));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1 day"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1h"));
    }
}
