package dev.rewind.signals.http;

import dev.rewind.signals.ProbeAnswer;
import dev.rewind.signals.Probes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** {@link Probes} over {@code java.net.http}: one GET per probe, its own timeout, redirects not followed. */
public final class HttpProbes implements Probes {

    /** Enough of a body to find a marker in; a probe is not a download. */
    private static final int MAX_BODY = 64 * 1024;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @Override
    public ProbeAnswer probe(String name, String url, int expect, Duration timeout, Optional<String> bodyContains) {
        long start = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET()
                    .header("User-Agent", "rewind-probe").build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            return new ProbeAnswer(name, false, name + " did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProbeAnswer(name, false, name + " was not probed: interrupted");
        } catch (Exception e) {
            return new ProbeAnswer(name, false, name + " could not be reached (" + e.getClass().getSimpleName() + ")");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String answered = name + " " + response.statusCode() + " in " + millis + " ms";
        if (response.statusCode() != expect) {
            return new ProbeAnswer(name, false, answered + " (expected " + expect + ")");
        }
        String body = response.body() == null ? "" : response.body();
        if (bodyContains.isPresent() && !body.substring(0, Math.min(body.length(), MAX_BODY)).contains(bodyContains.get())) {
            return new ProbeAnswer(name, false, answered + " without \"" + bodyContains.get() + "\" in its body");
        }
        return new ProbeAnswer(name, true, answered);
    }
}
