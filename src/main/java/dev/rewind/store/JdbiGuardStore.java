package dev.rewind.store;

import dev.rewind.guard.DeployGuard;
import dev.rewind.guard.GuardStatus;
import dev.rewind.guard.GuardStore;
import dev.rewind.guard.RuleProgress;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link GuardStore} on JDBI ({@code deploy_guards}). */
public final class JdbiGuardStore implements GuardStore {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String WATCHING = GuardStatus.WATCHING.name();

    private final Jdbi jdbi;

    public JdbiGuardStore(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public DeployGuard insertOnce(DeployGuard guard) {
        boolean inserted = Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO deploy_guards (id, "
                        + "service, revision, label, deployed_at, source, deployed_by, url, started_at, ends_at, interval_ms, "
                        + "next_check_at, checks, status, rule_progress) VALUES (:id, :service, :revision, :label, :deployedAt, "
                        + ":source, :by, :url, :startedAt, :endsAt, :interval, :next, 0, :status, :rules)")
                .bind("id", guard.id()).bind("service", guard.service()).bind("revision", Text.clip(guard.revision(), 300))
                .bind("label", Text.clip(guard.label(), 300)).bind("deployedAt", guard.deployedAt().toEpochMilli())
                .bind("source", guard.source()).bind("by", guard.by().map(b -> Text.clip(b, 200)).orElse(null))
                .bind("url", guard.url().map(u -> Text.clip(u, 2000)).orElse(null))
                .bind("startedAt", guard.startedAt().toEpochMilli()).bind("endsAt", guard.endsAt().toEpochMilli())
                .bind("interval", guard.interval().toMillis()).bind("next", guard.nextCheckAt().toEpochMilli())
                .bind("status", guard.status().name()).bind("rules", rules(guard.rules())).execute()));
        if (inserted) {
            return guard;
        }
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM deploy_guards WHERE service = :service AND revision = :revision")
                .bind("service", guard.service()).bind("revision", Text.clip(guard.revision(), 300)).map(MAPPER).one());
    }

    @Override
    public Optional<DeployGuard> find(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM deploy_guards WHERE id = :id").bind("id", id)
                .map(MAPPER).findOne());
    }

    @Override
    public List<DeployGuard> due(Instant now, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM deploy_guards WHERE status = :watching "
                        + "AND next_check_at <= :now ORDER BY next_check_at").bind("watching", WATCHING)
                .bind("now", now.toEpochMilli()).setMaxRows(limit).map(MAPPER).list());
    }

    @Override
    public List<DeployGuard> latest(String service, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM deploy_guards WHERE service = :service "
                + "ORDER BY started_at DESC, deployed_at DESC").bind("service", service).setMaxRows(limit).map(MAPPER).list());
    }

    @Override
    public List<DeployGuard> watching(String service) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM deploy_guards WHERE service = :service "
                        + "AND status = :watching ORDER BY started_at").bind("service", service).bind("watching", WATCHING)
                .map(MAPPER).list());
    }

    @Override
    public int watchingCount() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM deploy_guards WHERE status = :watching")
                .bind("watching", WATCHING).mapTo(Integer.class).one());
    }

    @Override
    public boolean checked(String id, int checksBefore, Instant nextCheckAt, Map<String, RuleProgress> rules, boolean judged) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE deploy_guards SET checks = checks + 1, "
                        + "judged_checks = judged_checks + :judged, next_check_at = :next, rule_progress = :rules "
                        + "WHERE id = :id AND checks = :checks AND status = :watching")
                .bind("judged", judged ? 1 : 0).bind("next", nextCheckAt.toEpochMilli()).bind("rules", rules(rules)).bind("id", id)
                .bind("checks", checksBefore).bind("watching", WATCHING).execute()) == 1;
    }

    @Override
    public boolean end(String id, GuardStatus status, Optional<String> runId, Optional<String> trigger, Instant at) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE deploy_guards SET status = :status, run_id = :runId, "
                        + "trigger_note = :trigger, ended_at = :at WHERE id = :id AND status = :watching")
                .bind("status", status.name()).bind("runId", runId.orElse(null))
                .bind("trigger", trigger.map(t -> Text.clip(t, 2000)).orElse(null)).bind("at", at.toEpochMilli())
                .bind("id", id).bind("watching", WATCHING).execute()) == 1;
    }

    @Override
    public void describe(String id, Optional<String> by, Optional<String> url) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE deploy_guards SET deployed_by = COALESCE(:by, deployed_by), "
                        + "url = COALESCE(:url, url) WHERE id = :id")
                .bind("by", by.map(b -> Text.clip(b, 200)).orElse(null)).bind("url", url.map(u -> Text.clip(u, 2000)).orElse(null))
                .bind("id", id).execute());
    }

    private static String rules(Map<String, RuleProgress> rules) {
        Map<String, long[]> plain = new LinkedHashMap<>();
        rules.forEach((name, progress) -> plain.put(name, new long[]{
                progress.holdingSince().map(Instant::toEpochMilli).orElse(-1L), progress.probeFailures()}));
        return JSON.writeValueAsString(plain);
    }

    private static Map<String, RuleProgress> rules(String json) {
        Map<String, long[]> plain = JSON.readValue(json, new TypeReference<Map<String, long[]>>() { });
        Map<String, RuleProgress> rules = new LinkedHashMap<>();
        plain.forEach((name, values) -> rules.put(name, new RuleProgress(values[0] < 0 ? Optional.empty()
                : Optional.of(Instant.ofEpochMilli(values[0])), (int) values[1])));
        return rules;
    }

    private static final RowMapper<DeployGuard> MAPPER = (rs, ctx) -> new DeployGuard(rs.getString("id"),
            rs.getString("service"), rs.getString("revision"), rs.getString("label"),
            Instant.ofEpochMilli(rs.getLong("deployed_at")), rs.getString("source"),
            Optional.ofNullable(rs.getString("deployed_by")), Optional.ofNullable(rs.getString("url")),
            Instant.ofEpochMilli(rs.getLong("started_at")), Instant.ofEpochMilli(rs.getLong("ends_at")),
            Duration.ofMillis(rs.getLong("interval_ms")), Instant.ofEpochMilli(rs.getLong("next_check_at")),
            rs.getInt("checks"), rs.getInt("judged_checks"), GuardStatus.valueOf(rs.getString("status")), Optional.ofNullable(rs.getString("run_id")),
            Optional.ofNullable(rs.getString("trigger_note")), rules(rs.getString("rule_progress")), Text.instant(rs, "ended_at"));
}
