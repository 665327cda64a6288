package dev.rewind.store;

import dev.rewind.adapter.config.ConfigHistory;
import dev.rewind.adapter.config.ConfigRef;
import dev.rewind.adapter.config.ConfigVersion;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The config adapter's version history in the {@code config_versions} table. A ConfigMap's data is
 * kept as JSON; a Secret's only as per-key digests and an encrypted copy sealed by the adapter.
 */
public final class JdbiConfigHistory implements ConfigHistory {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Map<String, String>>> CONTENT = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> HASHES = new TypeReference<>() { };
    private static final int ATTEMPTS = 3;
    private static final String COLUMNS = "namespace, kind, name, version_id, number, first_seen_at, last_seen_at, "
            + "data, key_hashes, sealed";
    private static final String WHERE_OBJECT = "namespace = :namespace AND kind = :kind AND name = :name";

    private final Jdbi jdbi;

    private volatile byte[] digestKey;

    public JdbiConfigHistory(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public ConfigVersion record(ConfigVersion observed) {
        for (int attempt = 1; ; attempt++) {
            try {
                return jdbi.inTransaction(handle -> recordIn(handle, observed));
            } catch (RuntimeException e) {
                // Another replica recorded the same version, or took the next number, in between: read again.
                if (!Text.isUniqueViolation(e) || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private ConfigVersion recordIn(Handle handle, ConfigVersion observed) {
        ConfigRef ref = observed.ref();
        Optional<ConfigVersion> existing = find(handle, ref, observed.id());
        if (existing.isPresent()) {
            ConfigVersion known = existing.get();
            Instant lastSeen = observed.lastSeen().isAfter(known.lastSeen()) ? observed.lastSeen() : known.lastSeen();
            Optional<String> sealed = known.sealed().or(observed::sealed);
            handle.createUpdate("UPDATE config_versions SET last_seen_at = :lastSeen, sealed = :sealed WHERE "
                            + WHERE_OBJECT + " AND version_id = :id")
                    .bind("lastSeen", lastSeen.toEpochMilli())
                    .bind("sealed", sealed.orElse(null))
                    .bindMap(key(ref)).bind("id", observed.id())
                    .execute();
            return known.stored(known.number(), known.firstSeen(), lastSeen, sealed);
        }
        int number = handle.createQuery("SELECT COALESCE(MAX(number), 0) FROM config_versions WHERE " + WHERE_OBJECT)
                .bindMap(key(ref)).mapTo(Integer.class).one() + 1;
        handle.createUpdate("INSERT INTO config_versions (" + COLUMNS + ") VALUES (:namespace, :kind, :name, :id, "
                        + ":number, :firstSeen, :lastSeen, :data, :keyHashes, :sealed)")
                .bindMap(key(ref))
                .bind("id", observed.id())
                .bind("number", number)
                .bind("firstSeen", observed.firstSeen().toEpochMilli())
                .bind("lastSeen", observed.lastSeen().toEpochMilli())
                .bind("data", JSON.writeValueAsString(Map.of("data", observed.data(), "binaryData", observed.binaryData())))
                .bind("keyHashes", JSON.writeValueAsString(observed.keyHashes()))
                .bind("sealed", observed.sealed().orElse(null))
                .execute();
        return observed.stored(number, observed.firstSeen(), observed.lastSeen(), observed.sealed());
    }

    @Override
    public List<ConfigVersion> versions(ConfigRef ref) {
        return jdbi.withHandle(handle -> select(handle, "WHERE " + WHERE_OBJECT
                + " ORDER BY last_seen_at DESC, number DESC").bindMap(key(ref)).map((rs, ctx) -> read(rs)).list());
    }

    @Override
    public Optional<ConfigVersion> find(ConfigRef ref, String id) {
        return jdbi.withHandle(handle -> find(handle, ref, id));
    }

    private Optional<ConfigVersion> find(Handle handle, ConfigRef ref, String id) {
        return select(handle, "WHERE " + WHERE_OBJECT + " AND version_id = :id").bindMap(key(ref)).bind("id", id)
                .map((rs, ctx) -> read(rs)).findOne();
    }

    private static Query select(Handle handle, String rest) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM config_versions " + rest);
    }

    private static Map<String, Object> key(ConfigRef ref) {
        return Map.of("namespace", ref.namespace(), "kind", ref.kind().apiName(), "name", ref.name());
    }

    private static ConfigVersion read(ResultSet rs) throws SQLException {
        ConfigRef ref = new ConfigRef(ConfigRef.Kind.fromApiName(rs.getString("kind")), rs.getString("namespace"),
                rs.getString("name"));
        Map<String, Map<String, String>> content = JSON.readValue(rs.getString("data"), CONTENT);
        return new ConfigVersion(ref, rs.getString("version_id"), rs.getInt("number"),
                Instant.ofEpochMilli(rs.getLong("first_seen_at")), Instant.ofEpochMilli(rs.getLong("last_seen_at")),
                content.getOrDefault("data", Map.of()), content.getOrDefault("binaryData", Map.of()),
                JSON.readValue(rs.getString("key_hashes"), HASHES), Optional.ofNullable(rs.getString("sealed")));
    }

    @Override
    public byte[] digestKey() {
        byte[] key = digestKey;
        if (key == null) {
            key = new JdbiInstallationKeys(jdbi, java.time.Clock.systemUTC()).key(JdbiInstallationKeys.SECRET_DIGESTS);
            digestKey = key;
        }
        return key.clone();
    }
}
