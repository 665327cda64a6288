package dev.rewind.config;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The services Rewind knows, and the settings that apply across them.
 *
 * @param retention how long stored alert payloads, unrouted alerts and finished alert incidents are kept
 */
public record Catalogue(List<ServiceConfig> services, AlertRouting alerts, java.time.Duration retention) {

    public static final java.time.Duration DEFAULT_RETENTION = java.time.Duration.ofDays(90);

    public Catalogue {
        services = List.copyOf(services);
    }

    public Catalogue(List<ServiceConfig> services, AlertRouting alerts) {
        this(services, alerts, DEFAULT_RETENTION);
    }

    public static Catalogue empty() {
        return new Catalogue(List.of(), AlertRouting.DEFAULT);
    }

    public Optional<ServiceConfig> find(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return services.stream().filter(s -> s.name().toLowerCase(Locale.ROOT).equals(wanted)).findFirst();
    }

    public List<String> names() {
        return services.stream().map(ServiceConfig::name).toList();
    }

    /** Up to {@code limit} known names nearest to {@code typed}: prefix matches first, then by edit distance. */
    public List<String> closest(String typed, int limit) {
        String wanted = typed.toLowerCase(Locale.ROOT);
        return names().stream()
                .sorted(Comparator.comparingInt((String name) -> distance(wanted, name.toLowerCase(Locale.ROOT)))
                        .thenComparing(name -> name))
                .limit(limit)
                .toList();
    }

    private static int distance(String typed, String name) {
        if (name.startsWith(typed) || typed.startsWith(name)) {
            return Math.abs(name.length() - typed.length()) / 4;
        }
        int[] previous = new int[name.length() + 1];
        int[] current = new int[name.length() + 1];
        for (int j = 0; j <= name.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= typed.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= name.length(); j++) {
                int cost = typed.charAt(i - 1) == name.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[name.length()];
    }

    /**
     * How alerts find their service.
     *
     * @param serviceLabel   the alert label naming the service
     * @param defaultChannel where alerts for no known service are posted, if anywhere
     * @param watchedChannels channels whose alert messages (Alertmanager, Grafana) are read
     * @param staleAfter      an incident with no notification for this long is closed: its "resolved"
     *                        was lost, since Alertmanager repeats firing alerts (every 4 h by default;
     *                        this must be longer than the longest {@code repeat_interval} in use)
     */
    /**
     * How alerts find their service, and how much an alert's own label may say about urgency.
     *
     * @param severityLabel the label read for {@code severityTiers} ({@code severity})
     * @param severityTiers label value (lower case) → the tier name it raises a card to at least ({@code critical →
     *                      FAST}); never above what the numbers and the explicit flags say on their own for IMMEDIATE
     */
    public record AlertRouting(String serviceLabel, Optional<String> defaultChannel, List<String> watchedChannels,
                               java.time.Duration staleAfter, String severityLabel, java.util.Map<String, String> severityTiers) {
        public static final java.time.Duration DEFAULT_STALE_AFTER = java.time.Duration.ofHours(25);
        public static final java.util.Map<String, String> DEFAULT_SEVERITY_TIERS = java.util.Map.of("critical", "FAST");
        public static final AlertRouting DEFAULT = new AlertRouting("service", Optional.empty(), List.of(),
                DEFAULT_STALE_AFTER, "severity", DEFAULT_SEVERITY_TIERS);

        public AlertRouting {
            watchedChannels = List.copyOf(watchedChannels);
            severityTiers = java.util.Map.copyOf(severityTiers);
        }

        /** The tier floor an alert with these labels asks for, as {@code (tier, "severity=critical")}, if any. */
        public Optional<java.util.Map.Entry<String, String>> severityFloor(java.util.Map<String, String> labels) {
            String value = labels.get(severityLabel);
            if (value == null) {
                return Optional.empty();
            }
            String tier = severityTiers.get(value.trim().toLowerCase(java.util.Locale.ROOT));
            return tier == null ? Optional.empty() : Optional.of(java.util.Map.entry(tier, severityLabel + "=" + value.trim()));
        }
    }
}
