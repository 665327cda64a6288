package dev.rewind.web;

import dev.rewind.adapter.webhook.WebhookCallbacks;
import dev.rewind.adapter.webhook.WebhookSignature;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * {@code POST /runs/{runId}/events}: a webhook receiver's signed report. Hands the raw body, the
 * signature and timestamp headers to {@link WebhookCallbacks} and answers 200, 400 (malformed), 401
 * (bad, missing, v1 or stale signature), 404 (unknown run) or 409 (the run is not waiting for a
 * report), with the reason in the body.
 */
public final class WebhookCallbackRoute implements Handler {

    public static final String PATH = "/runs/{runId}/events";

    private final WebhookCallbacks callbacks;

    public WebhookCallbackRoute(WebhookCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public void handle(Context ctx) {
        WebhookCallbacks.Result result = callbacks.receive(ctx.pathParam("runId"),
                ctx.header(WebhookSignature.TIMESTAMP_HEADER), ctx.header(WebhookSignature.HEADER), ctx.bodyAsBytes());
        int status = result instanceof WebhookCallbacks.Result.Accepted ? 200
                : result instanceof WebhookCallbacks.Result.Malformed ? 400
                : result instanceof WebhookCallbacks.Result.BadSignature ? 401
                : result instanceof WebhookCallbacks.Result.NotWaiting ? 409
                : 404;
        ctx.status(status).contentType("text/plain").result(result.reason() + "\n");
    }
}
