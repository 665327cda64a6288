package dev.rewind.store;

import dev.rewind.rollback.PolicyLedger;
import org.jdbi.v3.core.Jdbi;
import java.time.Instant;

/** {@link PolicyLedger} on JDBI: Deploys a policy rolled back ({@code policy_applications}); the key refuses a second one. */
public final class JdbiPolicyLedger implements PolicyLedger {

    private final Jdbi jdbi;

    public JdbiPolicyLedger(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public boolean recordPolicyApplication(String service, String revision, String runId, Instant at) {
        return Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate(
                "INSERT INTO policy_applications (service, revision, run_id, "
                                + "applied_at) VALUES (:service, :revision, :runId, :at)")
                        .bind("service", service).bind("revision", Text.clip(revision, 200)).bind("runId", runId)
                        .bind("at", at.toEpochMilli()).execute()));
    }

    @Override
    public boolean policyApplied(String service, String revision) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM policy_applications WHERE service = :service "
                        + "AND revision = :revision").bind("service", service).bind("revision", Text.clip(revision, 200))
                .mapTo(Integer.class).one()) > 0;
    }
}
