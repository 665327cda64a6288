package dev.rewind.assess;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.config.Target;
import dev.rewind.config.Catalogue;
import dev.rewind.config.ServiceConfig;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Every service of the catalogue with what runs now, read in parallel for {@code /rollback list}. */
public final class ServiceOverview {

    private final AdapterRegistry adapters;
    private final ExecutorService executor;
    private final Duration timeout;

    public ServiceOverview(AdapterRegistry adapters, ExecutorService executor, Duration timeout) {
        this.adapters = adapters;
        this.executor = executor;
        this.timeout = timeout;
    }

    /** One line's worth: the service and its primary target, read or with the reason it could not be. */
    public record Line(ServiceConfig service, TargetView target) {
    }

    public List<Line> list(Catalogue catalogue) {
        List<CompletableFuture<Line>> futures = catalogue.services().stream()
                .map(service -> {
                    Target target = service.primaryTarget();
                    return CompletableFuture.supplyAsync(() -> new Line(service, TargetView.describe(adapters, target)), executor)
                            .completeOnTimeout(new Line(service, TargetView.failed(target.describe(), target.type(),
                                    "no answer within " + timeout.toSeconds() + " s")), timeout.toMillis(), TimeUnit.MILLISECONDS);
                })
                .toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }
}
