package dev.rewind.rollback;

import dev.rewind.config.Catalogue;
import dev.rewind.config.ServiceConfig;

import java.util.Optional;
import java.util.function.Supplier;

/** The current catalogue, looked up by service name; a run whose service was removed gets a clear answer. */
public final class Catalogues {

    private final Supplier<Catalogue> current;

    public Catalogues(Supplier<Catalogue> current) {
        this.current = current;
    }

    public Catalogue get() {
        return current.get();
    }

    public Optional<ServiceConfig> service(String name) {
        return current.get().find(name);
    }
}
