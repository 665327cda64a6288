package dev.rewind.alerts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What is said about alerts that matched no service: at most one message per channel per
 * {@link #INTERVAL}, a digest of every such alert since the last one (a single alert keeps its full
 * sentence). An alert announced in the last {@link #QUIET} is not announced again. Memory stays bounded
 * whatever arrives: at most {@value #TRACKED} fingerprints are remembered (the least recent are
 * forgotten first, and may then be announced again, still at most once a minute), and a digest keeps
 * counts and the first {@value #LISTED} alerts. Thread-safe.
 */
final class UnroutedAnnouncements {

    static final Duration INTERVAL = Duration.ofMinutes(1);
    static final Duration QUIET = Duration.ofHours(1);
    static final int TRACKED = 10_000;
    static final int LISTED = 10;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final Cache<String, Boolean> announced;
    private final Map<Optional<String>, Pending> pending = new HashMap<>();
    private final Map<Optional<String>, Instant> lastSent = new HashMap<>();

    UnroutedAnnouncements(Clock clock) {
        this.announced = Caffeine.newBuilder().maximumSize(TRACKED).expireAfterWrite(QUIET)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run).build();
    }

    /** One digest: where it goes (empty: the log, no channel is configured), its text, how many alerts it covers. */
    record Digest(Optional<String> channel, String text, int alerts) {
    }

    /** Notes an alert for no service, to be said in {@code channel}; @return false when it was announced lately */
    synchronized boolean add(Optional<String> channel, Alert alert, String serviceLabel, Instant at) {
        if (announced.getIfPresent(alert.fingerprint()) != null) {
            return false;
        }
        announced.put(alert.fingerprint(), Boolean.TRUE);
        pending.computeIfAbsent(channel, c -> new Pending(at)).add(alert, serviceLabel);
        return true;
    }

    /** The digests due at {@code now} (channels with alerts waiting and no digest in the last minute); they count as sent. */
    synchronized List<Digest> due(Instant now) {
        List<Digest> due = new ArrayList<>();
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            Instant last = lastSent.get(entry.getKey());
            if (last != null && now.isBefore(last.plus(INTERVAL))) {
                continue;
            }
            due.add(new Digest(entry.getKey(), entry.getValue().text(), entry.getValue().count));
            lastSent.put(entry.getKey(), now);
            it.remove();
        }
        return due;
    }

    /** How many fingerprints are remembered now. */
    long tracked() {
        announced.cleanUp();
        return announced.estimatedSize();
    }

    /** Alerts waiting for a channel's next digest: a count, counts by service label, the first few in full. */
    private static final class Pending {
        private final Instant since;
        private int count;
        private final Map<String, Integer> byLabel = new LinkedHashMap<>();
        private int otherLabels;
        private final List<Alert> first = new ArrayList<>();
        private String serviceLabel = "service";

        Pending(Instant since) {
            this.since = since;
        }

        void add(Alert alert, String label) {
            count++;
            serviceLabel = label;
            String value = alert.labels().getOrDefault(label, "missing");
            if (byLabel.containsKey(value) || byLabel.size() < LISTED) {
                byLabel.merge(value, 1, Integer::sum);
            } else {
                otherLabels++;
            }
            if (first.size() < LISTED) {
                first.add(alert);
            }
        }

        String text() {
            if (count == 1) {
                Alert alert = first.get(0);
                return "Alert " + clip(alert.name(), 200) + " (" + status(alert) + ") matched no service in rewind.yml: its "
                        + serviceLabel + " label is " + clip(alert.labels().getOrDefault(serviceLabel, "missing"), 200)
                        + "; labels: " + clip(String.valueOf(new java.util.TreeMap<>(alert.labels())), 1000)
                        + ". It is stored; no card was opened.";
            }
            StringBuilder text = new StringBuilder().append(count).append(" alerts matched no service in rewind.yml since ")
                    .append(TIME.format(since)).append(" (").append(serviceLabel).append(" label: ");
            List<String> labels = new ArrayList<>();
            byLabel.forEach((value, n) -> labels.add(clip(value, 60) + " ×" + n));
            if (otherLabels > 0) {
                labels.add("other values ×" + otherLabels);
            }
            text.append(String.join(", ", labels)).append("). ");
            List<String> names = new ArrayList<>();
            for (Alert alert : first) {
                names.add(clip(alert.name(), 60) + " (" + status(alert) + ", " + serviceLabel + "="
                        + clip(alert.labels().getOrDefault(serviceLabel, "missing"), 60) + ")");
            }
            text.append(count > first.size() ? "The first " + first.size() + ": " : "They are: ")
                    .append(String.join("; ", names)).append(". They are stored; no card was opened.");
            return text.toString();
        }

        private static String status(Alert alert) {
            return alert.firing() ? "firing" : "resolved";
        }

        private static String clip(String text, int max) {
            return text.length() <= max ? text : text.substring(0, max) + "…";
        }
    }
}
