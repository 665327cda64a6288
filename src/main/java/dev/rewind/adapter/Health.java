package dev.rewind.adapter;

/** How a target is doing right now, with a sentence saying why. */
public record Health(Status status, String detail) {

    public enum Status { HEALTHY, PROGRESSING, UNHEALTHY }

    public static Health healthy(String detail) {
        return new Health(Status.HEALTHY, detail);
    }

    public static Health progressing(String detail) {
        return new Health(Status.PROGRESSING, detail);
    }

    public static Health unhealthy(String detail) {
        return new Health(Status.UNHEALTHY, detail);
    }

    public boolean isHealthy() {
        return status == Status.HEALTHY;
    }
}
