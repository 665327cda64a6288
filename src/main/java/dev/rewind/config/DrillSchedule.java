package dev.rewind.config;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/** A drill's {@code schedule:}: a Unix cron expression ({@code 0 10 * * TUE}), read in UTC. */
public final class DrillSchedule {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private DrillSchedule() {
    }

    /** @throws ConfigException naming {@code place} when {@code cron} is not a Unix cron expression */
    static void check(String cron, String place) {
        try {
            PARSER.parse(cron).validate();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(place + ": '" + cron + "' is not a cron expression (5 fields, UTC, e.g. "
                    + "\"0 10 * * TUE\"): " + e.getMessage());
        }
    }

    /** The latest time at or before {@code now} the schedule names, if any. */
    public static Optional<Instant> lastAtOrBefore(String cron, Instant now) {
        Cron parsed = PARSER.parse(cron);
        ZonedDateTime at = now.atZone(ZoneOffset.UTC);
        ExecutionTime times = ExecutionTime.forCron(parsed);
        if (times.isMatch(at.withNano(0).withSecond(0))) {
            return Optional.of(at.withNano(0).withSecond(0).toInstant());
        }
        return times.lastExecution(at).map(ZonedDateTime::toInstant);
    }
}
