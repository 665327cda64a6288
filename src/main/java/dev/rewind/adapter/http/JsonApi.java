package dev.rewind.adapter.http;

import dev.rewind.adapter.AdapterException;
import dev.rewind.config.Target;
import dev.rewind.config.Secrets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON REST API of one remote system (Argo CD, GitHub, Unleash, LaunchDarkly) as one adapter
 * call sees it: a base URL, the credential header, retries through {@link RetryingHttp}, and
 * failures turned into {@link ApiException}s that name the system, the call and the remote's reason.
 * The credential goes into the request header only; it is never part of a message or a log line.
 */
public final class JsonApi {

    public static final JsonMapper JSON = JsonMapper.shared();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final RetryingHttp http;
    private final String system;
    private final String base;
    private final String credentialName;
    private final Map<String, String> headers;

    /**
     * @param system         the remote's name for messages ("Argo CD")
     * @param baseUrl        its base URL; request paths are appended to it
     * @param credentialName where the credential came from, for messages ("the token in ARGOCD_TOKEN")
     * @param headers        sent on every request, the credential's {@code Authorization} among them
     */
    public JsonApi(RetryingHttp http, String system, String baseUrl, String credentialName, Map<String, String> headers) {
        this.http = http;
        this.system = system;
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.credentialName = credentialName;
        this.headers = Map.copyOf(new LinkedHashMap<>(headers));
    }

    /**
     * The secret in environment variable {@code variable}, given as {@code field} ({@code tokenEnv}) of a
     * target of type {@code type}, or an {@link AdapterException} naming the variable (never a value) when it
     * is not set.
     */
    public static String secret(Secrets secrets, String type, String field, String variable) {
        return secrets.get(variable).orElseThrow(() -> new AdapterException("environment variable " + variable
                + " (" + field + " of the " + type + " target) is not set"));
    }

    /** {@code url}, given as {@code field} of a target of type {@code type}, as an http(s) URL without a trailing slash; checked without I/O. */
    public static String httpUrl(String type, String field, String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new Target.InvalidTargetException("target of type " + type + ": '" + field
                    + "' must be an http(s) URL, got '" + url + "'");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** One path segment, percent-encoded. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query parameter value, percent-encoded. */
    public static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    public String system() {
        return system;
    }

    /** GETs {@code path}; {@code what} names the thing for messages ("application shop"). */
    public JsonNode get(String path, String what) {
        return expectOk(call("GET", path, null, null), "GET", path, what);
    }

    /** Sends {@code body} (serialised as JSON) and expects 2xx. */
    public JsonNode send(String method, String path, Object body, String contentType, String what) {
        return expectOk(call(method, path, body, contentType), method, path, what);
    }

    /** Sends a request and returns whatever came back; only an unreachable remote throws. */
    public ApiResponse call(String method, String path, Object body, String contentType) {
        String json = body == null ? null : body instanceof String text ? text : JSON.writeValueAsString(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        headers.forEach(request::setHeader);
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", contentType == null ? "application/json" : contentType)
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build());
        } catch (IOException e) {
            throw new ApiException(0, system + " at " + base + " could not be reached (" + method + " " + path + "): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdapterException("interrupted while calling " + system);
        }
        return new ApiResponse(response.statusCode(), response.body(), parse(response.body()));
    }

    /** The body of a successful response, or an {@link ApiException} saying who refused what. */
    public JsonNode expectOk(ApiResponse response, String method, String path, String what) {
        if (response.ok()) {
            return response.json();
        }
        throw failure(response, method, path, what);
    }

    /** The exception for a failed call, in words for the on-call engineer. */
    public ApiException failure(ApiResponse response, String method, String path, String what) {
        String call = " (HTTP " + response.status() + " from " + method + " " + base + path + ")";
        String reason = response.remoteMessage();
        String message = switch (response.status()) {
            case 401 -> system + " rejected " + credentialName + ": " + reason + call;
            case 403 -> system + " refused access to " + what + " with " + credentialName + ": " + reason + call;
            case 404 -> system + ": " + what + " not found" + call;
            default -> system + " failed on " + what + ": " + reason + call;
        };
        return new ApiException(response.status(), message);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            return MissingNode.getInstance();
        }
    }
}
