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
        Object v = scope.getVariable(name);
        return v == null ? null : v.toString();
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
