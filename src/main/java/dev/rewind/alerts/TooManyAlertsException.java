package dev.rewind.alerts;

/** A payload carrying more alerts than Rewind reads from one ({@link AlertmanagerPayload#MAX_ALERTS}): a 413, with the reason. */
public final class TooManyAlertsException extends MalformedAlertException {
    public TooManyAlertsException(String message) {
        super(message);
    }
}
