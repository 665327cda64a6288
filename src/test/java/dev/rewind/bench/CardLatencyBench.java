package dev.rewind.bench;

import dev.rewind.testing.RewindFixture;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * From a signed {@code /rollback checkout} to the card's {@code chat.postMessage} reaching Slack,
 * with Prometheus answering in 50 ms and Slack in 20 ms. The physical floor is the sum of those
 * injected latencies, 70 ms: every query (now and baseline) runs in parallel, so one Prometheus round
 * trip, then the post. Rerun:
 * {@code mvn -B -q -Pbench test -DskipTests -Dbench=dev.rewind.bench.CardLatencyBench}
 */
public final class CardLatencyBench {

    private static final int WARMUP = 30;
    private static final int RUNS = 200;
    private static final double FLOOR_MS = 50 + 20;

    public static void main(String[] args) throws Exception {
        try (RewindFixture rewind = RewindFixture.start()) {
            rewind.prometheus().returns("errors", 0.18).before(0.004);
            rewind.prometheus().returns("latency", 0.9).before(0.3);
            rewind.prometheus().delay(Duration.ofMillis(50));
            LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
            rewind.slack().server().addMockServiceRequestListener((request, response) -> {
                if (request.getUrl().equals("/api/chat.postMessage")) {
                    arrivals.add(System.nanoTime());
                }
            });
            rewind.slack().server().stubFor(post(urlEqualTo("/api/chat.postMessage")).atPriority(1)
                    .willReturn(okJson("{\"ok\":true,\"channel\":\"C0CHECKOUT\",\"ts\":\"1700000000.{{randomValue length=6 type='NUMERIC'}}\"}")
                            .withFixedDelay(20)));
            Percentiles latency = new Percentiles();
            for (int i = 0; i < WARMUP + RUNS; i++) {
                arrivals.clear();
                long start = System.nanoTime();
                rewind.signed().command(RewindFixture.ALICE, RewindFixture.CHANNEL, "checkout bench " + i);
                Long arrived = arrivals.poll(10, TimeUnit.SECONDS);
                if (arrived == null) {
                    throw new IllegalStateException("no card for command " + i);
                }
                long end = arrived + 20_000_000L;
                if (i >= WARMUP) {
                    latency.add(end - start);
                }
                rewind.slack().resetRequests();
            }
            System.out.println("Card latency (signed /rollback → card posted, Prometheus 50 ms, Slack 20 ms): "
                    + latency.summary());
            System.out.println(String.format(Locale.ROOT, "Floor %.0f ms; p50 = floor × %.2f, p95 = floor × %.2f; "
                            + "p95 − floor = %.1f ms (target < 150 ms)", FLOOR_MS, latency.millis(50) / FLOOR_MS,
                    latency.millis(95) / FLOOR_MS, latency.millis(95) - FLOOR_MS));
        }
    }
}
