package dev.rewind.adapter.http;

import dev.rewind.adapter.AdapterException;

/** A remote API answered with an error status; the message says who refused what and why. */
public final class ApiException extends AdapterException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status; 0 when the remote could not be reached. */
    public int status() {
        return status;
    }

    public boolean notFound() {
        return status == 404;
    }
}
