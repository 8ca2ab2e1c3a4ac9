package com.wechathub.wechat;

/**
 * A push the hub refuses: carries the HTTP status and a short reason for the caller.
 * Never carries a stack trace to the wire (see wechat-errors.camel.yaml).
 */
public class Rejection extends RuntimeException {

    private final int status;
    private final String reason;

    public Rejection(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = code;
    }

    public static Rejection badRequest(String message) {
        return new Rejection(400, "bad_request", message);
    }

    public static Rejection forbidden(String message) {
        return new Rejection(403, "forbidden", message);
    }

    public int getStatus() {
        return status;
    }

    /** A short, low-cardinality label for metrics (signature, timestamp, xml, …). */
    public String getReason() {
        return reason;
    }
}
