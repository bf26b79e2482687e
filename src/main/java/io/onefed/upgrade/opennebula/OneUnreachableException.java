package io.onefed.upgrade.opennebula;

/** The endpoint did not answer in time, refused the connection or answered something that is not XML-RPC. */
public class OneUnreachableException extends RuntimeException {

    private final String endpoint;

    public OneUnreachableException(String endpoint, String method, String reason) {
        super(method + " on " + endpoint + ": unreachable (" + reason + ")");
        this.endpoint = endpoint;
    }

    public String endpoint() {
        return endpoint;
    }
}
