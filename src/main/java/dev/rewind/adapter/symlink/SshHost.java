package dev.rewind.adapter.symlink;

import dev.rewind.config.Target;

/** One entry of {@code hosts:}: {@code app1}, {@code app1:2222} or {@code [2001:db8::1]:22}. */
record SshHost(String host, int port) {

    static final int DEFAULT_PORT = 22;

    static SshHost parse(String entry) {
        String text = entry.trim();
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw invalid(entry, "an IPv6 address needs a closing ']'");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw invalid(entry, "expected ':port' after ']'");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw invalid(entry, "write IPv6 addresses as [address]:port");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:_-]+")) {
            throw invalid(entry, "not a host name or address");
        }
        return new SshHost(host, port == null ? DEFAULT_PORT : port(entry, port));
    }

    /** How people call the host in messages: its name, with the port only when it is not 22. */
    String label() {
        String name = host.contains(":") ? "[" + host + "]" : host;
        return port == DEFAULT_PORT ? name : name + ":" + port;
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw invalid(entry, "port " + text + " is out of range");
            }
            return port;
        } catch (NumberFormatException e) {
            throw invalid(entry, "port '" + text + "' is not a number");
        }
    }

    private static Target.InvalidTargetException invalid(String entry, String why) {
        return new Target.InvalidTargetException("target of type " + SymlinkReleaseAdapter.TYPE + ": hosts entry '"
                + entry + "': " + why);
    }
}
