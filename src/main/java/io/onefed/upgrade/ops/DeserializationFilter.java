package io.onefed.upgrade.ops;

import java.io.ObjectInputFilter;

/**
 * The process-wide Java deserialization filter: nothing the service runs needs to read a serialized Java object
 * (process variables are strings, Camunda's Java-serialized object variables stay off, Tomcat's session
 * persistence is off in Spring Boot, H2's JAVA_OBJECT and JMX/RMI are not used), so every class is rejected. It is
 * the second wall behind the XML-RPC parser that never deserializes (CVE-2019-17570) and against whatever library
 * might open an ObjectInputStream on foreign bytes later.
 *
 * <p>Set in two ways: the Docker image starts the JVM with {@code -Djdk.serialFilter=}{@link #PATTERN} (the JDK
 * reads it before any code runs), and {@code OneFedUpgradeApplication.main} calls {@link #install()} first, which
 * covers {@code java -jar} and {@code ./mvnw spring-boot:run}. A filter already set by {@code -Djdk.serialFilter}
 * is left as the operator chose it. Tests do not get it process-wide: the XML-RPC tests must show the parser itself
 * never deserializes, which a global filter would hide.
 */
public final class DeserializationFilter {

    /** JDK filter syntax (java.io.ObjectInputFilter.Config#createFilter): limits, then reject every class. */
    public static final String PATTERN = "maxdepth=20;maxrefs=1000;maxbytes=1048576;!*";

    private DeserializationFilter() {
    }

    public static ObjectInputFilter filter() {
        return ObjectInputFilter.Config.createFilter(PATTERN);
    }

    /** Sets {@link #PATTERN} as the JVM-wide filter unless one is set already; returns the filter in force. */
    public static synchronized ObjectInputFilter install() {
        ObjectInputFilter current = ObjectInputFilter.Config.getSerialFilter();
        if (current != null) {
            return current;
        }
        ObjectInputFilter filter = filter();
        ObjectInputFilter.Config.setSerialFilter(filter);
        return filter;
    }
}
