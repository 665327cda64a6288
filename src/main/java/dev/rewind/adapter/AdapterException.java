package dev.rewind.adapter;

/**
 * An adapter could not do what was asked. The message is written for the on-call engineer: it says
 * what failed and, where known, why ("revision 7 is not in the history of shop/checkout").
 */
public class AdapterException extends RuntimeException {
    public AdapterException(String message) {
        super(message);
    }

    public AdapterException(String message, Throwable cause) {
        super(message, cause);
    }
}
