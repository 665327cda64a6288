package dev.rewind.web;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;

/** JSON answers of the {@code /api/v1/*} routes. */
final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static String error(String message) {
        return write(Map.of("error", message));
    }

    /** The 404 for a service rewind.yml does not name, with the three closest names. */
    static void unknownService(io.javalin.http.Context ctx, dev.rewind.rollback.Catalogues catalogues, String typed) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("error", "no service named '" + typed + "'");
        body.put("closest", catalogues.get().closest(typed, 3));
        ctx.status(404).result(write(body));
    }
}
