package dev.rewind.alerts;

/** An alert payload that cannot be read; the message says what is wrong with it, for a 400. */
public class MalformedAlertException extends RuntimeException {
    public MalformedAlertException(String message) {
        super(message);
    }
}
