package dev.rewind.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything Rewind reads from its environment, parsed once. Secrets are held here and nowhere
 * else; {@link #toString()} never prints them.
 */
public record Settings(
        Optional<String> slackBotToken,
        Optional<String> slackSigningSecret,
        Optional<String> slackAppToken,
        String slackApiUrl,
        Path configPath,
        Optional<String> prometheusUrl,
        String databaseUrl,
        Optional<String> databaseUser,
        Optional<String> databasePassword,
        int port,
        String publicUrl,
        Optional<String> alertmanagerToken,
        Optional<String> auditKey,
        Optional<String> apiToken,
        String namespace,
        Secrets secrets) {

    public static final String DEFAULT_SLACK_API_URL = "https://slack.com/api/";
    public static final String DEFAULT_DATABASE_URL = "jdbc:h2:file:./data/rewind";
    public static final int DEFAULT_PORT = 3000;

    public static Settings fromEnvironment() {
        return from(System.getenv());
    }

    public static Settings from(Map<String, String> env) {
        int port = parsePort(value(env, "PORT").orElse(null));
        String slackApiUrl = value(env, "SLACK_API_URL").map(Settings::withTrailingSlash).orElse(DEFAULT_SLACK_API_URL);
        requireHttpUrl("SLACK_API_URL", slackApiUrl);
        Optional<String> prometheus = value(env, "PROMETHEUS_URL");
        prometheus.ifPresent(url -> requireHttpUrl("PROMETHEUS_URL", url));
        String publicUrl = value(env, "REWIND_PUBLIC_URL").orElse("http://localhost:" + port);
        requireHttpUrl("REWIND_PUBLIC_URL", publicUrl);
        String databaseUrl = value(env, "DATABASE_URL").orElse(DEFAULT_DATABASE_URL);
        if (!databaseUrl.startsWith("jdbc:h2:") && !databaseUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("DATABASE_URL must be a jdbc:h2: or jdbc:postgresql: URL, got '"
                    + redacted(databaseUrl) + "'");
        }
        return new Settings(
                value(env, "SLACK_BOT_TOKEN"),
                value(env, "SLACK_SIGNING_SECRET"),
                value(env, "SLACK_APP_TOKEN"),
                slackApiUrl,
                Path.of(value(env, "REWIND_CONFIG").orElse("./rewind.yml")),
                prometheus,
                databaseUrl,
                value(env, "DATABASE_USER"),
                value(env, "DATABASE_PASSWORD"),
                port,
                stripTrailingSlash(publicUrl),
                value(env, "ALERTMANAGER_TOKEN"),
                value(env, "REWIND_AUDIT_KEY"),
                value(env, "REWIND_API_TOKEN"),
                value(env, "REWIND_NAMESPACE").orElse("rewind"),
                Secrets.of(Map.copyOf(env)));
    }

    /** Socket Mode is used when an app-level token is present, HTTP otherwise. */
    public boolean socketMode() {
        return slackAppToken.isPresent();
    }

    /** What is missing for Slack to work, in words for the log and /readyz; empty when nothing is. */
    public List<String> slackProblems() {
        List<String> problems = new ArrayList<>();
        if (slackBotToken.isEmpty()) {
            problems.add("SLACK_BOT_TOKEN is not set");
        }
        if (!socketMode() && slackSigningSecret.isEmpty()) {
            problems.add("SLACK_SIGNING_SECRET is not set (needed to verify requests on /slack/events)");
        }
        return problems;
    }

    @Override
    public String toString() {
        return "Settings[slackBotToken=" + mask(slackBotToken)
                + ", slackSigningSecret=" + mask(slackSigningSecret)
                + ", slackAppToken=" + mask(slackAppToken)
                + ", slackApiUrl=" + redacted(slackApiUrl)
                + ", configPath=" + configPath
                + ", prometheusUrl=" + prometheusUrl.map(Settings::redacted).orElse("(none)")
                + ", databaseUrl=" + redacted(databaseUrl)
                + ", databaseUser=" + databaseUser.orElse("(none)")
                + ", databasePassword=" + mask(databasePassword)
                + ", port=" + port
                + ", publicUrl=" + publicUrl
                + ", alertmanagerToken=" + mask(alertmanagerToken)
                + ", auditKey=" + mask(auditKey)
                + ", apiToken=" + mask(apiToken) + "]";
    }

    /**
     * Parameters that carry a secret in a URL, whatever their case: {@code password=}, {@code PASSWORD=},
     * {@code sslpassword=}, {@code pwd=}, {@code token=}, {@code access_token=}, {@code secret=}, {@code apikey=}…
     */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&;](?:[a-z0-9_.-]*(?:password|passwd|pwd|secret|token|credentials?|api[_-]?key|sslkey))=)[^&;#]*");

    /** A URL as the log may show it: no {@code user:password@}, no secret-looking parameter values. */
    public static String redacted(String url) {
        return SECRET_PARAMETER.matcher(withoutCredentials(url)).replaceAll("$1***");
    }

    /** A URL with any {@code user:password@} replaced, for the log. */
    static String withoutCredentials(String url) {
        return url.replaceAll("//[^/@?#]*@", "//***@");
    }

    private static String mask(Optional<String> secret) {
        return secret.isPresent() ? "(set)" : "(not set)";
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        String raw = env.get(name);
        return raw == null || raw.isBlank() ? Optional.empty() : Optional.of(raw.trim());
    }

    private static int parsePort(String raw) {
        if (raw == null) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(raw);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new ConfigException("PORT must be a number from 0 to 65535, got '" + raw + "'");
        }
    }

    private static void requireHttpUrl(String name, String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + " must be an http(s) URL, got '" + url + "'");
        }
    }

    private static String withTrailingSlash(String url) {
        return url.endsWith("/") ? url : url + "/";
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
