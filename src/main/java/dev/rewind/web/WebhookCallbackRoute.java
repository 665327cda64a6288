package dev.rewind.web;

import dev.rewind.adapter.webhook.WebhookCallbacks;
import dev.rewind.adapter.webhook.WebhookSignature;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * {@code POST /runs/{runId}/events}: a webhook receiver's signed report. Hands the raw body and the
 * signature header to {@link WebhookCallbacks} and answers 200, 400 (malformed), 401 (bad or missing
 * signature) or 404 (unknown run), with the reason in the body.
 */
public final class WebhookCallbackRoute implements Handler {

    public static final String PATH = "/runs/{runId}/events";

    private final WebhookCallbacks callbacks;

    public WebhookCallbackRoute(WebhookCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public void handle(Context ctx) {
        WebhookCallbacks.Result result = callbacks.receive(ctx.pathParam("runId"), ctx.header(WebhookSignature.HEADER),
                ctx.bodyAsBytes());
        int status = result instanceof WebhookCallbacks.Result.Accepted ? 200
                : result instanceof WebhookCallbacks.Result.Malformed ? 400
                : result instanceof WebhookCallbacks.Result.BadSignature ? 401
                : 404;
        ctx.status(status).contentType("text/plain").result(result.reason() + "\n");
    }
}
