package io.onefed.upgrade.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.engine.variable.value.FileValue;

/** Reading and writing process variables the same way everywhere; long JSON goes into file variables. */
final class Vars {

    /** Camunda keeps string variables up to 4000 characters in every supported database. */
    static final int MAX_STRING = 4000;

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Vars() {
    }

    static String str(VariableScope scope, String name) {
        return str(scope.getVariable(name));
    }

    /** A variable's value as text: {@link #longText} values come back as the String they were. */
    static String str(Object v) {
        return v == null ? null : v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString();
    }

    /**
     * A text of any length that the process reads back whole (host lists of zones with thousands of hosts): a
     * String while it fits {@link #MAX_STRING}, above it its UTF-8 bytes (a byte array variable, kept in
     * ACT_GE_BYTEARRAY like the file variables), which {@link #str} turns back into the text. A String variable
     * over the limit would fail the job with the database's "value too long" in the middle of an upgrade.
     */
    static Object longText(String s) {
        return s == null || s.length() <= MAX_STRING ? s : Variables.byteArrayValue(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The first {@code max} items of a list and how many more: a form or message stays readable. */
    static String firstOf(java.util.Collection<String> items, int max) {
        String shown = items.stream().limit(max).collect(java.util.stream.Collectors.joining(", "));
        return items.size() <= max ? shown : shown + " and " + (items.size() - max) + " more";
    }

    static String required(VariableScope scope, String name) {
        String v = str(scope, name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("process variable '" + name + "' is missing");
        }
        return v;
    }

    static int integer(VariableScope scope, String name, int fallback) {
        Object v = scope.getVariable(name);
        if (v == null) {
            return fallback;
        }
        return v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().trim());
    }

    /** Text for forms and Cockpit, cut to what every database stores. */
    static String text(String s) {
        if (s == null || s.length() <= MAX_STRING) {
            return s;
        }
        String marker = "\n... (cut; the full text is in the report)";
        return s.substring(0, MAX_STRING - marker.length()) + marker;
    }

    /** Any size of JSON, stored as a file variable (a byte array in the engine's database). */
    static FileValue json(String fileName, Object value) {
        try {
            return Variables.fileValue(fileName).file(JSON.writeValueAsBytes(value)).mimeType("application/json")
                    .encoding(StandardCharsets.UTF_8).create();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + fileName + " as JSON", e);
        }
    }
}
