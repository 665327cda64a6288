package dev.rewind.alerts;

import dev.rewind.config.Catalogue;
import dev.rewind.config.ServiceConfig;

import java.util.Map;
import java.util.Optional;

/**
 * Which service an alert is about: a service whose {@code alerts.match} labels all match, else the
 * service named by the alert's service label ({@code service} unless configured otherwise). Pure.
 */
public final class AlertRouter {

    private AlertRouter() {
    }

    public static Optional<ServiceConfig> route(Alert alert, Catalogue catalogue) {
        for (ServiceConfig service : catalogue.services()) {
            Map<String, String> match = service.alertMatch();
            if (!match.isEmpty() && match.entrySet().stream()
                    .allMatch(e -> e.getValue().equals(alert.labels().get(e.getKey())))) {
                return Optional.of(service);
            }
        }
        String named = alert.labels().get(catalogue.alerts().serviceLabel());
        return named == null ? Optional.empty() : catalogue.find(named);
    }
}
