package dev.rewind.signals;

import java.time.Duration;
import java.util.Optional;

/** Exercises a critical path over HTTP (login, payment) and says how it answered. Never throws. */
public interface Probes {

    /** {@code GET url}, expecting {@code expect} within {@code timeout} and {@code bodyContains} in the body when given. */
    ProbeAnswer probe(String name, String url, int expect, Duration timeout, Optional<String> bodyContains);
}
