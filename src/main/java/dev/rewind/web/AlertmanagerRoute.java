package dev.rewind.web;

import dev.rewind.alerts.AlertIntake;
import dev.rewind.alerts.AlertmanagerPayload;
import dev.rewind.alerts.MalformedAlertException;
import dev.rewind.alerts.TooManyAlertsException;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * {@code POST /alerts/alertmanager}: the bearer token (when configured) is checked, the payload is
 * stored, read and handed to the intake; the answer is 200 with the count, 400 with the reason, 413 for
 * more than {@link AlertmanagerPayload#MAX_ALERTS} alerts, or 401. Without a token anyone who can reach
 * the endpoint can open cards: said at start-up.
 */
final class AlertmanagerRoute {

    private final AlertIntake intake;
    private final Optional<String> token;

    static final String UNAUTHENTICATED = "POST /alerts/alertmanager accepts unauthenticated requests: set ALERTMANAGER_TOKEN";
    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerRoute.class);

    AlertmanagerRoute(AlertIntake intake, Optional<String> token) {
        this.intake = intake;
        this.token = token;
        if (token.isEmpty()) {
            LOG.warn("{} (and the same value as Alertmanager's webhook http_config bearer credentials)", UNAUTHENTICATED);
        }
    }

    void handle(Context ctx) {
        if (token.isPresent() && !authorised(ctx.header("Authorization"))) {
            ctx.status(401).header("WWW-Authenticate", "Bearer").contentType("text/plain")
                    .result("missing or wrong bearer token (set Authorization: Bearer <ALERTMANAGER_TOKEN> "
                            + "in Alertmanager's webhook http_config)\n");
            return;
        }
        String body = ctx.body();
        if (body.isBlank()) {
            ctx.status(400).contentType("text/plain").result("empty body: expected an Alertmanager webhook payload (version 4)\n");
            return;
        }
        try {
            int alerts = intake.receive(AlertmanagerPayload.SOURCE, body, AlertmanagerPayload::parse, token.isPresent());
            ctx.status(200).contentType("application/json").result("{\"status\":\"accepted\",\"alerts\":" + alerts + "}");
        } catch (TooManyAlertsException e) {
            ctx.status(413).contentType("text/plain").result("too many alerts: " + e.getMessage() + "\n");
        } catch (MalformedAlertException e) {
            ctx.status(400).contentType("text/plain").result("malformed Alertmanager payload: " + e.getMessage() + "\n");
        }
    }

    private boolean authorised(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        byte[] expected = token.orElseThrow().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected);
    }
}
