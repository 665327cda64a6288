package dev.rewind.adapter.webhook;

/** One report from a webhook receiver: progress, or the end (succeeded / failed), with its words. */
public record WebhookEvent(Status status, String message) {

    /** The {@code status} values of the wire format. */
    public enum Status {
        PROGRESS, SUCCEEDED, FAILED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** succeeded and failed end a run's reports. */
        boolean ends() {
            return this != PROGRESS;
        }
    }
}
