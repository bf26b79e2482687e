package io.onefed.upgrade.opennebula;

/**
 * An OpenNebula call failed: either OpenNebula's {@code [false, msg, code, id, index]} answer or an XML-RPC
 * fault. Carries the code and message as OpenNebula sent them; never the session string.
 */
public class OneException extends RuntimeException {

    /** Error codes of src/rm/Request.h. */
    public enum ErrorCode {
        SUCCESS(0), AUTHENTICATION(0x100), AUTHORIZATION(0x200), NO_EXISTS(0x400), ACTION(0x800),
        XML_RPC_API(0x1000), INTERNAL(0x2000), ALLOCATE(0x4000), LOCKED(0x8000), FAULT(-1), UNKNOWN(-2);

        private final int code;

        ErrorCode(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static ErrorCode of(int code) {
            for (ErrorCode c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
            return UNKNOWN;
        }
    }

    private final String endpoint;
    private final String method;
    private final ErrorCode errorCode;

    public OneException(String endpoint, String method, ErrorCode errorCode, String message) {
        super(method + " on " + endpoint + " failed (" + errorCode + "): " + message);
        this.endpoint = endpoint;
        this.method = method;
        this.errorCode = errorCode;
    }

    public String endpoint() {
        return endpoint;
    }

    public String method() {
        return method;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }
}
