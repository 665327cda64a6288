package dev.rewind.store;

import dev.rewind.rollback.Deadlines;
import dev.rewind.rollback.EscalationLedger;
import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/** {@link EscalationLedger} on JDBI ({@code run_escalations}): the primary key lets one replica claim each step. */
public final class JdbiEscalationLedger implements EscalationLedger {

    private final Jdbi jdbi;

    public JdbiEscalationLedger(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public boolean claim(String runId, Deadlines.Step step, Instant at) {
        return Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate(
                        "INSERT INTO run_escalations (run_id, step, sent_at) VALUES (:runId, :step, :at)")
                .bind("runId", runId).bind("step", step.name()).bind("at", at.toEpochMilli()).execute()));
    }

    @Override
    public Set<Deadlines.Step> sent(String runId) {
        Set<Deadlines.Step> sent = EnumSet.noneOf(Deadlines.Step.class);
        jdbi.withHandle(handle -> handle.createQuery("SELECT step FROM run_escalations WHERE run_id = :runId")
                .bind("runId", runId).mapTo(String.class).list()).forEach(step -> sent.add(Deadlines.Step.valueOf(step)));
        return sent;
    }
}
